import Adaptation
import Evaluation
import Foundation
import ResultStore
import Transformers

extension CellExecutor {
    /// LogME and H-score of the encoder a cell's last stage starts from (the base model for a
    /// direct chain, the source-adapted encoder for a longer one) on the target's training
    /// examples, stored as metrics of split `train` so the run can correlate them with the
    /// realised score. The base model's features come from the shared cache.
    func transferabilityMetrics(
        _ checkpoint: Checkpoint, cell: PlannedCell, stage: Int, task: TaskData, examples: [LabelledExample],
        training: ResolvedTraining
    ) throws -> [MetricRow] {
        guard examples.count >= 2, task.labelNames.count >= 2 else { return [] }
        let identity = stage == 0 ? suite.model.identity : "adapted:\(cell.adaptationKey):before-stage-\(stage)"
        let estimate = try TransferabilityEstimate.measure(
            encoder: stage == 0 ? suite.model.name : "stage \(stage) encoder",
            FrozenEncoder(identity: identity, model: checkpoint.model, tokenizer: checkpoint.tokenizer), examples: examples,
            classCount: task.labelNames.count, cache: features, pooling: training.pooling,
            maxLength: training.configuration.maxLength)
        return [
            MetricRow(stage: stage, task: task.name, split: "train", name: "logme", value: estimate.logME),
            MetricRow(stage: stage, task: task.name, split: "train", name: "h_score", value: estimate.hScore),
        ]
    }
}
