import Evaluation
import Foundation
import ResultStore

/// Text and JSON forms of a run's verdicts (transfer results, overfitting audits, divergences).
extension RunsFormatting {
    /// The seed's rule: above this Jensen–Shannon divergence (bits) between source and target,
    /// multi-task training is advised over direct transfer. Advice, never a verdict.
    static let multiTaskAdviceBits = StrategyRecommendation.divergenceLimitBits

    static func chainText(_ chain: String) -> String {
        ((try? JSONDecoder().decode([String].self, from: Data(chain.utf8))) ?? [chain]).joined(separator: " → ")
    }

    static func number(_ value: Double?, _ format: String = "%+.4f") -> String {
        value.map { String(format: format, $0) } ?? "-"
    }

    /// The verdict sections of `runs show`, or nothing when the run has none.
    static func verdictText(_ verdicts: RunVerdicts, cells: [RunCellDetail]) -> String {
        var out = ""
        let tested = verdicts.transfer.filter { $0.label != "measured" }
        if !tested.isEmpty {
            out += "\ntransfer (paired bootstrap, 95% BCa interval; p Holm-adjusted over the run):\n"
            var rows = [["kind", "task", "strategy", "chain", "vs", "metric", "value [95% CI]", "p", "p (Holm)", "label"]]
            for row in tested {
                let format = row.kind == "retention" ? "%.4f" : "%+.4f"
                let interval = (row.low != nil && row.high != nil)
                    ? " [" + number(row.low, format) + ", " + number(row.high, format) + "]" : ""
                rows.append([row.kind, row.task, row.strategy, chainText(row.chain),
                             row.kind == "transfer_gain" ? chainText(row.reference) : row.reference, row.metric,
                             number(row.value, format) + interval, number(row.pValue, "%.4f"), number(row.pHolm, "%.4f"), row.label])
            }
            out += table(rows)
        }
        let efficiency = verdicts.transfer.filter { $0.kind.hasPrefix("efficiency") }
        if !efficiency.isEmpty {
            out += "\nefficiency (mean test accuracy over seeds):\n"
            var rows = [["strategy", "chain", "per million trainable", "per minute"]]
            var seen = Set<String>()
            for row in efficiency where seen.insert(row.strategy + row.chain).inserted {
                func value(_ kind: String) -> String {
                    number(efficiency.first { $0.kind == kind && $0.strategy == row.strategy && $0.chain == row.chain }?.value, "%.4g")
                }
                rows.append([row.strategy, chainText(row.chain), value("efficiency_per_million_parameters"), value("efficiency_per_minute")])
            }
            out += table(rows)
        }
        let correlations = verdicts.transfer.filter { $0.kind.hasPrefix("transferability") }
        if !correlations.isEmpty {
            out += "\ntransferability (LogME of each chain's starting encoder vs its realised test accuracy, across chains):\n"
            var rows = [["task", "strategy", "chains", "Spearman ρ", "p", "Kendall τ", "p"]]
            var seen = Set<String>()
            for row in correlations where seen.insert(row.task + "\u{1F}" + row.strategy).inserted {
                let kendall = correlations.first { $0.kind == "transferability_kendall" && $0.task == row.task && $0.strategy == row.strategy }
                let spearman = correlations.first { $0.kind == "transferability_spearman" && $0.task == row.task && $0.strategy == row.strategy }
                rows.append([row.task, row.strategy, String(row.examples), number(spearman?.value), number(spearman?.pValue, "%.4f"),
                             number(kendall?.value), number(kendall?.pValue, "%.4f")])
            }
            out += table(rows)
        }
        if !verdicts.audits.isEmpty {
            out += "\noverfitting audit (gaps at the last evaluation; kept = early stopping's choice):\n"
            var rows = [["strategy", "seed", "chain", "stage", "kept/last epoch", "train−val acc", "val−train loss", "GL %", "verdict", "stop"]]
            for detail in cells {
                guard let id = detail.cell.id, let audits = verdicts.audits[id] else { continue }
                for audit in audits {
                    rows.append([detail.cell.strategy, String(detail.cell.seed), chainText(detail.cell.chain), "\(audit.stage + 1) \(audit.task)",
                                 "\(audit.keptEpoch)/\(audit.lastEpoch)", number(audit.finalAccuracyGap), number(audit.finalLossGap),
                                 number(audit.generalizationLoss, "%.1f"), audit.verdict, audit.stopReason])
                }
            }
            out += table(rows)
        }
        if !verdicts.divergences.isEmpty {
            out += "\ndomain divergence (training texts; KL and JS in bits over WordPiece tokens):\n"
            var rows = [["source → target", "KL(s‖t)", "KL(t‖s)", "JS", "cosine", "MMD²", "MMD p", "proxy A"]]
            for pair in verdicts.divergences {
                let d = pair.divergence
                rows.append(["\(pair.sourceTask) → \(pair.targetTask)", number(d.klSourceTarget, "%.4f"), number(d.klTargetSource, "%.4f"),
                             number(d.jensenShannon, "%.4f"), number(d.cosine, "%.4f"), number(d.mmd2, "%.4f"),
                             number(d.mmdPValue, "%.4f"), number(d.proxyADistance, "%.3f")])
            }
            out += table(rows)
            for pair in verdicts.divergences where pair.divergence.jensenShannon > multiTaskAdviceBits {
                out += "advice: JS(\(pair.sourceTask), \(pair.targetTask)) = \(String(format: "%.3f", pair.divergence.jensenShannon)) bits > "
                    + "\(multiTaskAdviceBits): the seed's rule prefers multi-task training over direct transfer here (a rule of thumb; "
                    + "the transfer gains above are the measurement).\n"
            }
        }
        return out
    }

    /// The verdicts as JSON for `runs show --json` and `export`.
    static func verdictObject(_ verdicts: RunVerdicts) -> [String: Any] {
        func optional(_ value: Double?) -> Any { value ?? NSNull() }
        return [
            "transfer": verdicts.transfer.map { row -> [String: Any] in
                ["kind": row.kind, "task": row.task, "strategy": row.strategy, "chain": chainList(row.chain),
                 "reference": row.kind == "transfer_gain" ? chainList(row.reference) : row.reference, "metric": row.metric,
                 "value": optional(row.value), "low": optional(row.low), "high": optional(row.high),
                 "p_value": optional(row.pValue), "p_holm": optional(row.pHolm), "label": row.label, "seeds": row.seeds,
                 "examples": row.examples]
            },
            "overfitting": verdicts.audits.keys.sorted().flatMap { cellID in
                (verdicts.audits[cellID] ?? []).map { audit -> [String: Any] in
                    ["cell_id": cellID, "stage": audit.stage, "task": audit.task, "evaluations": audit.evaluations,
                     "kept_epoch": audit.keptEpoch, "last_epoch": audit.lastEpoch, "final_accuracy_gap": optional(audit.finalAccuracyGap),
                     "final_loss_gap": audit.finalLossGap, "generalization_loss": audit.generalizationLoss,
                     "validation_accuracy_change": audit.validationAccuracyChange,
                     "validation_loss_change": audit.validationLossChange, "verdict": audit.verdict,
                     "rising_evaluations": audit.risingEvaluations, "stop_reason": audit.stopReason]
                }
            },
            "divergences": verdicts.divergences.map { pair -> [String: Any] in
                let d = pair.divergence
                return ["source": pair.sourceTask, "target": pair.targetTask, "tokens": d.tokens, "source_texts": d.sourceTexts,
                        "target_texts": d.targetTexts, "kl_source_target": d.klSourceTarget, "kl_target_source": d.klTargetSource,
                        "jensen_shannon": d.jensenShannon, "cosine": d.cosine, "mmd2": d.mmd2, "mmd_p_value": d.mmdPValue,
                        "proxy_a_distance": d.proxyADistance, "multitask_advised": d.jensenShannon > multiTaskAdviceBits]
            },
        ]
    }

    static func chainList(_ chain: String) -> Any {
        (try? JSONDecoder().decode([String].self, from: Data(chain.utf8))) ?? chain
    }

    /// CSV rows of the verdicts in `export`'s columns: split `verdict` for transfer results
    /// (status = label, metric = kind), split `divergence` for divergences (chain = source>target).
    static func verdictCSVRows(_ verdicts: RunVerdicts, runID: Int64, tag: String?) -> [[String]] {
        var rows: [[String]] = []
        for row in verdicts.transfer {
            rows.append([String(runID), tag ?? "", "", row.strategy, "", "", chainText(row.chain).replacingOccurrences(of: " → ", with: ">"),
                         row.task, row.label, "", row.task, "verdict", row.kind, row.value.map { String($0) } ?? "",
                         row.low.map { String($0) } ?? "", row.high.map { String($0) } ?? ""])
        }
        for pair in verdicts.divergences {
            let d = pair.divergence
            for (name, value) in [("kl_source_target", d.klSourceTarget), ("kl_target_source", d.klTargetSource),
                                  ("jensen_shannon", d.jensenShannon), ("cosine", d.cosine), ("mmd2", d.mmd2),
                                  ("mmd_p_value", d.mmdPValue), ("proxy_a_distance", d.proxyADistance)] {
                rows.append([String(runID), tag ?? "", "", "", "", "", "\(pair.sourceTask)>\(pair.targetTask)", pair.targetTask, "", "",
                             pair.targetTask, "divergence", name, String(value), "", ""])
            }
        }
        return rows
    }
}
