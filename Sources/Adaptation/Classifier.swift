import Evaluation
import Transformers

/// An encoder, a classification head and the tokenizer that feeds them.
public final class Classifier {
    public let model: BertModel
    public var head: ClassificationHead
    public let tokenizer: WordPieceTokenizer
    public var labelNames: [String]
    public var maxLength: Int

    public init(model: BertModel, head: ClassificationHead, tokenizer: WordPieceTokenizer, labelNames: [String], maxLength: Int = 128) {
        self.model = model
        self.head = head
        self.tokenizer = tokenizer
        self.labelNames = labelNames
        self.maxLength = maxLength
    }

    /// Every parameter: encoder (adapters included) then head.
    public var parameters: [Parameter] { model.parameters + head.parameters }

    public func encode(_ example: LabelledExample) -> Encoding {
        if let pair = example.pair { return tokenizer.encode(example.text, pair, maxLength: maxLength) }
        return tokenizer.encode(example.text, maxLength: maxLength)
    }

    /// Forward, mean cross-entropy and backward for one micro-batch; gradients accumulate into
    /// the trainable parameters. Returns the loss.
    public func accumulateGradients(on examples: [LabelledExample], pass: TrainingPass) throws -> Double {
        let activations = try model.trainingForward(TokenBatch(examples.map(encode)), pass: pass)
        let (pooled, logits) = head(activations.output)
        let (loss, gradient) = try CrossEntropy.lossAndGradient(logits: logits, labels: examples.map(\.label))
        let hiddenGradient = head.backward(pooled: pooled, logitsGradient: gradient, offsets: activations.batch.offsets)
        model.backward(activations, outputGradient: hiddenGradient)
        return Double(loss)
    }

    /// Logits for examples, [examples, labels], in input order (inference: no dropout).
    public func logits(_ examples: [LabelledExample], batchSize: Int = 32) throws -> Tensor {
        var result = Tensor(shape: [examples.count, head.labelCount])
        let width = head.labelCount
        var start = 0
        while start < examples.count {
            try Interruption.checkpoint()
            let end = min(start + max(1, batchSize), examples.count)
            let output = try model(TokenBatch(examples[start..<end].map(encode)))
            let logits = head(output).logits
            result.scalars.replaceSubrange((start * width)..<(end * width), with: logits.scalars)
            start = end
        }
        return result
    }

    /// Mean cross-entropy, the classification metrics and the predictions on labelled examples.
    public func evaluate(_ examples: [LabelledExample], batchSize: Int = 32) throws -> Evaluation {
        try evaluation(logits: try logits(examples, batchSize: batchSize), labels: examples.map(\.label))
    }

    /// Loss, metrics, predictions and probabilities from logits [examples, labels].
    func evaluation(logits: Tensor, labels: [Int]) throws -> Evaluation {
        let loss = labels.isEmpty ? 0 : Double(try CrossEntropy.lossAndGradient(logits: logits, labels: labels).loss)
        let probabilities = logits.softmax()
        let width = head.labelCount
        let predictions = (0..<labels.count).map { row in
            (0..<width).max { logits[row, $0] < logits[row, $1] } ?? 0
        }
        return Evaluation(
            loss: loss, metrics: try ClassificationMetrics(gold: labels, predicted: predictions, labelNames: labelNames),
            predictions: predictions, probabilities: probabilities)
    }

    /// The same as `evaluate(_:)` from pooled features of the examples under this
    /// classifier's (unchanged) encoder: no encoder pass.
    public func evaluate(_ features: LabelledFeatureSet) throws -> Evaluation {
        try evaluation(logits: head.logits(pooled: features.features), labels: features.labels)
    }

    public struct Evaluation: Sendable {
        public var loss: Double
        /// Accuracy, per-class and macro scores (Evaluation's one definition of each).
        public var metrics: ClassificationMetrics
        public var predictions: [Int]
        /// Softmax of the logits, [examples, labels].
        public var probabilities: Tensor
    }
}
