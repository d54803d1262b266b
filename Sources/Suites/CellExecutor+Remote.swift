import Adaptation
import Backends
import Evaluation
import Foundation
import ResultStore

/// Cells of a served model: prompt learning over its likelihoods or generations, prototypes
/// over its embeddings, and its probes. Nothing trains and nothing is saved; the response cache
/// makes a cell computed again cost no requests.
extension CellExecutor {
    func executeRemote(_ cell: PlannedCell) throws -> CellResult {
        let started = Date()
        guard let served = suite.model.remote else {
            throw SuiteError.invalidArgument(name: "model", reason: "remote probes need a served model (model: {remote: ...})")
        }
        let model = try RemoteModel(endpoint: served.endpoint, cache: responseCache)
        var result: CellResult
        if let probe = cell.probe {
            result = try executeRemoteProbe(cell, probe: probe, model: model, sampling: served.sampling)
        } else {
            result = try executeServedStrategy(cell, model: model)
        }
        result.wallSeconds = Date().timeIntervalSince(started)
        return result
    }

    /// A `prompt`, `few-shot`, `zero-shot` or `linear-probe` cell on the target task's validation and test splits.
    func executeServedStrategy(_ cell: PlannedCell, model: RemoteModel) throws -> CellResult {
        let task = try suite.requireTask(cell.target, field: "chain")
        let pool = Self.demonstrations(try task.examples(.train))
        let classes = task.labelNames.count
        let outputs: ([LabelledExample]) throws -> SplitOutputs
        var note: String
        switch cell.strategy.name {
        case PromptStrategy.name:
            let strategy = try PromptStrategy(options: cell.strategy.strategyOptions)
            let template = strategy.template(labelNames: task.labelNames)
            let demonstrations = try PromptTemplate.demonstrations(from: pool, perClass: strategy.shots, classCount: classes, seed: cell.seed)
            var scoring: PromptScoring = strategy.scoring == .generation || (strategy.scoring == .auto && model.endpoint.api == .chat)
                ? .generation : .likelihood
            outputs = { examples in
                let inputs = examples.map { TextInput($0.text, pair: $0.pair) }
                func answers() throws -> [PromptClassifier.Answer] {
                    try PromptClassifier(model: model, labelNames: task.labelNames, template: template, demonstrations: demonstrations,
                                         scoring: scoring).answers(inputs)
                }
                let found: [PromptClassifier.Answer]
                do {
                    found = try answers()
                } catch RemoteModelError.noLogProbabilities where strategy.scoring == .auto && scoring == .likelihood {
                    scoring = .generation
                    found = try answers()
                }
                return Self.outputs(
                    probabilities: found.map { $0.probabilities }, labels: found.map { $0.label }, gold: examples.map(\.label),
                    classes: classes, withLoss: scoring == .likelihood)
            }
            let scored = try score(task: task, stage: 0, seed: cell.seed, splits: [("validation", task.validation), ("test", task.test)],
                                   outputs: outputs)
            note = "\(strategy.shots)-shot prompt, labels scored by "
                + (scoring == .likelihood ? "verbaliser log-likelihood" : "parsing generated answers")
            return CellResult(
                trainableParameters: 0, totalParameters: 0, bestEpoch: nil, stopReason: note, wallSeconds: 0, epochs: [],
                metrics: scored.metrics, predictions: suite.definition.evaluation.savePredictions ? scored.predictions : [], artifacts: [])
        case FewShot.name, ZeroShot.name:
            let classifier: PrototypeClassifier
            if cell.strategy.name == FewShot.name {
                let shots = try FewShot(options: cell.strategy.strategyOptions).examplesPerClass
                classifier = try PrototypeClassifier.fewShot(
                    embedder: model, labelNames: task.labelNames, examples: pool, perClass: shots, seed: cell.seed)
                note = "prototypes of \(shots) embedded examples per label"
            } else {
                // The native zero-shot strategy's descriptions: the task's, or "This text is <label>.".
                let descriptions = task.labelDescriptions ?? task.labelNames.map { "This text is \($0)." }
                classifier = try PrototypeClassifier.zeroShot(embedder: model, labelNames: task.labelNames, descriptions: descriptions)
                note = "prototypes of embedded label descriptions"
            }
            outputs = { examples in
                let probabilities = try classifier.probabilities(examples.map { TextInput($0.text, pair: $0.pair) })
                return Self.outputs(
                    probabilities: probabilities, labels: probabilities.map { PromptClassifier.argmax($0) }, gold: examples.map(\.label),
                    classes: classes, withLoss: true)
            }
            let scored = try score(task: task, stage: 0, seed: cell.seed, splits: [("validation", task.validation), ("test", task.test)],
                                   outputs: outputs)
            return CellResult(
                trainableParameters: 0, totalParameters: 0, bestEpoch: nil, stopReason: note, wallSeconds: 0, epochs: [],
                metrics: scored.metrics, predictions: suite.definition.evaluation.savePredictions ? scored.predictions : [], artifacts: [])
        case LinearProbe.name:
            let classifier = try LinearProbeClassifier(
                embedder: model, labelNames: task.labelNames, training: pool, validation: Self.demonstrations(try task.examples(.validation)))
            let chosen = classifier.selection.candidates.first { $0.strength == classifier.selection.strength }
            note = "logistic regression on embeddings, C = \(classifier.selection.strength) chosen on validation"
                + (chosen.map { String(format: " (accuracy %.4f)", $0.validationAccuracy) } ?? "")
            let scored = try score(task: task, stage: 0, seed: cell.seed, splits: [("validation", task.validation), ("test", task.test)]) {
                examples in
                let probabilities = try classifier.probabilities(examples.map { TextInput($0.text, pair: $0.pair) })
                return Self.outputs(
                    probabilities: probabilities, labels: probabilities.map { PromptClassifier.argmax($0) }, gold: examples.map(\.label),
                    classes: classes, withLoss: true)
            }
            return CellResult(
                trainableParameters: (classifier.selection.model.featureCount + 1) * classes, totalParameters: 0, bestEpoch: nil,
                stopReason: note, wallSeconds: 0, epochs: [], metrics: scored.metrics,
                predictions: suite.definition.evaluation.savePredictions ? scored.predictions : [], artifacts: [])
        default:
            throw SuiteError.invalidArgument(
                name: "strategies", reason: "\(cell.strategy.name) does not run on a served model (use \(StrategySpec.remoteStrategies.joined(separator: ", ")))")
        }
    }

    /// Labelled examples as the prompting and probing classifiers take them.
    static func demonstrations(_ examples: [LabelledExample]) -> [PromptTemplate.Demonstration] {
        examples.map { PromptTemplate.Demonstration(input: TextInput($0.text, pair: $0.pair), label: $0.label) }
    }

    /// Outputs for scoring: an answer naming no label predicts the "(no answer)" class with
    /// uniform probabilities; the loss is the mean cross-entropy −log p(gold) when the
    /// probabilities are the model's own (not one-hot parses).
    static func outputs(probabilities: [[Double]?], labels: [Int?], gold: [Int], classes: Int, withLoss: Bool) -> SplitOutputs {
        let uniform = [Double](repeating: 1 / Double(classes), count: classes)
        let rows = probabilities.map { $0 ?? uniform }
        let loss = withLoss && !gold.isEmpty
            ? zip(rows, gold).reduce(0) { $0 + ClassificationMetrics.crossEntropy(probabilityOfGold: $1.0[$1.1]) } / Double(gold.count) : nil
        return SplitOutputs(predictions: labels.map { $0 ?? classes }, probabilities: rows, loss: loss)
    }
}
