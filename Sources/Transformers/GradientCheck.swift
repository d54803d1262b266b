import Foundation

/// Recomputes a PyTorch gradient reference (the format of `minilm_grad_check.json`) and compares
/// the loss and every parameter's gradient with it.
///
/// The reference holds, per tensor, the gradient's shape, L2 norm, sum and first six values in
/// row-major order. A tensor passes when ‖g‖ is within `relativeTolerance` of the reference norm
/// and each of the first six values within `relativeTolerance` × (largest of those six reference
/// magnitudes) + 1e-8, which also catches transposed layouts that keep the norm. Tensors whose
/// reference norm is below `zeroNorm` (attention key biases, whose gradient is mathematically
/// zero) need only a norm below `zeroNorm`.
public struct GradientCheck {
    public struct TensorResult: Sendable {
        public var name: String
        public var referenceNorm: Double
        public var norm: Double
        /// |‖g‖ − ‖g_ref‖| / ‖g_ref‖, or ‖g‖ for a zero reference.
        public var normError: Double
        /// Largest |gᵢ − g_refᵢ| over the first six values, divided by the largest reference magnitude.
        public var firstValuesError: Double
        public var passed: Bool
    }

    public struct Report: Sendable {
        public var loss: Double
        public var referenceLoss: Double
        public var tensors: [TensorResult]
        public var missing: [String]
        public var lossTolerance: Double

        public var lossPassed: Bool { abs(loss - referenceLoss) <= lossTolerance }
        public var passed: Bool { lossPassed && missing.isEmpty && tensors.allSatisfy(\.passed) }
        public var worst: TensorResult? { tensors.max { $0.normError < $1.normError } }
    }

    public var relativeTolerance = 1e-3
    public var lossTolerance = 1e-4
    public var zeroNorm = 1e-6

    public init() {}

    /// Runs the check for a checkpoint and a reference file (head weights beside it).
    public func run(checkpoint: Checkpoint, reference url: URL) throws -> Report {
        let path = url.path
        let object = try Self.referenceObject(at: url)
        func field<T>(_ key: String, as type: T.Type) throws -> T { try Self.field(key, as: type, in: object, path: path) }
        let sentences = try field("sentences", as: [String].self)
        let labels = try field("labels", as: [NSNumber].self).map(\.intValue)
        let maxLength = try field("max_length", as: NSNumber.self).intValue
        let referenceLoss = try field("loss", as: NSNumber.self).doubleValue
        let headFile = url.deletingLastPathComponent().appendingPathComponent(try field("head_file", as: String.self))
        let gradients = try field("grads", as: [String: Any].self)
        guard sentences.count == labels.count, !sentences.isEmpty else {
            throw TransformersError.invalidInput(reason: "\(path): 'sentences' and 'labels' differ in length")
        }
        let head = try SafetensorsFile(contentsOf: headFile)
        let weight = try head.tensor("classifier.weight")
        let bias = try head.tensor("classifier.bias")
        let hidden = checkpoint.configuration.hiddenSize
        guard weight.rank == 2, weight.shape[1] == hidden, bias.shape == [weight.shape[0]] else {
            throw TransformersError.invalidInput(
                reason: "\(headFile.path): classifier.weight \(weight.shape) and classifier.bias \(bias.shape) "
                    + "do not form a head over hidden size \(hidden)")
        }
        let classifier = ClassificationHead(pooling: .mean, weight: weight, bias: bias)
        guard labels.allSatisfy({ (0..<classifier.labelCount).contains($0) }) else {
            throw TransformersError.invalidInput(reason: "\(path): a label is outside the head's \(classifier.labelCount) classes")
        }
        let model = checkpoint.model
        let batch = TokenBatch(sentences.map { checkpoint.tokenizer.encode($0, maxLength: maxLength) })
        for parameter in model.parameters + classifier.parameters {
            parameter.isTrainable = true
            parameter.gradient = nil
        }
        let activations = try model.trainingForward(batch, pass: .deterministic)
        let (pooled, logits) = classifier(activations.output)
        let (loss, logitsGradient) = try CrossEntropy.lossAndGradient(logits: logits, labels: labels)
        let hiddenGradient = classifier.backward(pooled: pooled, logitsGradient: logitsGradient, offsets: activations.batch.offsets)
        model.backward(activations, outputGradient: hiddenGradient)

        return try compare(
            loss: Double(loss), referenceLoss: referenceLoss, gradients: gradients,
            parameters: model.parameters + classifier.parameters, path: path)
    }

    /// Compares computed gradients (by checkpoint name, a `bert.` prefix ignored) with a
    /// reference's `{name: {l2, first, …}}` entries under the criteria above.
    func compare(
        loss: Double, referenceLoss: Double, gradients: [String: Any], parameters: [Parameter], path: String
    ) throws -> Report {
        var byName: [String: Parameter] = [:]
        for parameter in parameters { byName[parameter.name] = parameter }
        var results: [TensorResult] = []
        var missing: [String] = []
        for name in gradients.keys.sorted() {
            guard let entry = gradients[name] as? [String: Any],
                let referenceNorm = (entry["l2"] as? NSNumber)?.doubleValue,
                let first = (entry["first"] as? [NSNumber])?.map(\.doubleValue)
            else {
                throw TransformersError.invalidInput(reason: "\(path): gradient entry '\(name)' lacks 'l2' or 'first'")
            }
            guard let parameter = byName[BertModel.canonicalName(name)] else {
                missing.append(name)
                continue
            }
            let values = parameter.gradient?.scalars ?? [Float](repeating: 0, count: parameter.count)
            let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            if referenceNorm < zeroNorm {
                results.append(TensorResult(
                    name: name, referenceNorm: referenceNorm, norm: norm, normError: norm,
                    firstValuesError: 0, passed: norm < zeroNorm))
                continue
            }
            let normError = abs(norm - referenceNorm) / referenceNorm
            let scale = first.map(abs).max() ?? 0
            let worstFirst = zip(values.prefix(first.count), first).map { abs(Double($0) - $1) }.max() ?? 0
            let firstPassed = worstFirst <= relativeTolerance * scale + 1e-8
            results.append(TensorResult(
                name: name, referenceNorm: referenceNorm, norm: norm, normError: normError,
                firstValuesError: scale > 0 ? worstFirst / scale : worstFirst,
                passed: normError <= relativeTolerance && firstPassed))
        }
        return Report(
            loss: loss, referenceLoss: referenceLoss, tensors: results, missing: missing,
            lossTolerance: lossTolerance)
    }

    /// A reference file's top-level JSON object.
    static func referenceObject(at url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TransformersError.fileNotFound(path: url.path)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TransformersError.invalidInput(reason: "\(url.path): not a JSON object")
        }
        return object
    }

    /// A typed field of a reference object, or an error naming the file and the key.
    static func field<T>(_ key: String, as type: T.Type, in object: [String: Any], path: String) throws -> T {
        guard let value = object[key] as? T else {
            throw TransformersError.invalidInput(reason: "\(path): missing or mistyped '\(key)'")
        }
        return value
    }
}
