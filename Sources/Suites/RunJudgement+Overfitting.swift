import Evaluation
import Foundation
import ResultStore

extension RunJudgement {
    /// One audit per trained stage and task of a cell, from its stored curve (see
    /// `OverfittingAudit` for the rule and its reference).
    static func overfittingAudits(_ detail: RunCellDetail) throws -> [OverfittingAuditRow] {
        let curves = Dictionary(grouping: detail.epochs) { StageTask(stage: $0.stage, task: $0.task) }
        return try curves.keys.sorted().compactMap { key -> OverfittingAuditRow? in
            let rows = (curves[key] ?? []).sorted { $0.evaluation < $1.evaluation }
            let points = rows.compactMap { row -> OverfittingAudit.CurvePoint? in
                // Feature-fitted stages record candidates, not a curve: nothing to audit. The
                // training loss is the one measured like validation's (eval mode, on a sample of
                // the training set) where stored, not the running mean under dropout.
                guard let trainLoss = row.value("train_eval_loss") ?? row.value("train_loss"),
                    let validationLoss = row.value("validation_loss"),
                    let validationAccuracy = row.value("validation_accuracy")
                else { return nil }
                return OverfittingAudit.CurvePoint(
                    epoch: row.epoch, step: row.step, trainLoss: trainLoss, validationLoss: validationLoss,
                    trainAccuracy: row.value("train_accuracy"), validationAccuracy: validationAccuracy)
            }
            guard points.count == rows.count, !points.isEmpty, points.allSatisfy({ $0.trainLoss.isFinite && $0.validationLoss.isFinite })
            else { return nil }
            let kept = rows.firstIndex(where: \.isBest) ?? rows.count - 1
            let audit = try OverfittingAudit(
                evaluations: points, keptIndex: kept, stopReason: detail.cell.stopReason ?? "",
                patience: patience(inConfiguration: detail.cell.config, stage: key.stage))
            let last = audit.gaps[audit.gaps.count - 1]
            var rising = 0
            var verdict = "no-overfitting"
            switch audit.verdict {
            case .overfitting(let first, let lastRise):
                verdict = "overfitting"
                rising = lastRise - first + 1
            case .tooFewEvaluations:
                verdict = "too-few-evaluations"
            case .notOverfitting:
                break
            }
            return OverfittingAuditRow(
                stage: key.stage, task: key.task, evaluations: points.count, keptEvaluation: kept,
                lastEvaluation: points.count - 1, keptEpoch: points[kept].epoch, lastEpoch: points[points.count - 1].epoch,
                finalAccuracyGap: last.accuracy, finalLossGap: last.loss, generalizationLoss: last.generalizationLoss,
                validationAccuracyChange: audit.keptVersusLast.validationAccuracyChange,
                validationLossChange: audit.keptVersusLast.validationLossChange, verdict: verdict, risingEvaluations: rising,
                stopReason: audit.stopReason)
        }
    }

    /// The early-stopping patience the stage trained with (the rule's window), from the cell's
    /// stored configuration; 2, the trainer's default, when the configuration does not say.
    static func patience(inConfiguration json: String, stage: Int) -> Int {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let adaptation = object["adaptation"] as? [String: Any],
            let stages = adaptation["stages"] as? [[String: Any]], stages.indices.contains(stage),
            let training = stages[stage]["training"] as? [String: Any],
            let patience = training["patience"] as? Int, patience >= 1
        else { return 2 }
        return patience
    }
}

/// A (stage, task) pair, ordered by stage then task.
struct StageTask: Hashable, Comparable {
    var stage: Int
    var task: String
    static func < (a: StageTask, b: StageTask) -> Bool { (a.stage, a.task) < (b.stage, b.task) }
}
