import Foundation
import TestSupport
import Testing

@testable import Transformers

let tinyConfiguration = BertConfiguration(
    hiddenSize: 8, layerCount: 2, headCount: 2, intermediateSize: 16,
    vocabularySize: tinyVocabulary.count, maximumPositions: 16, typeVocabularySize: 2,
    layerNormEpsilon: 1e-12)

/// A straightforward Double-precision BERT forward for one sequence, written independently of
/// the packed, vectorised implementation: the reference the model is checked against.
func referenceForward(_ weights: [String: Tensor], _ c: BertConfiguration, ids: [Int32], types: [Int32]) -> [[Double]] {
    func w(_ name: String) -> [Double] { weights[name]!.scalars.map(Double.init) }
    func layerNorm(_ x: [Double], _ prefix: String) -> [Double] {
        let g = w(prefix + ".weight"), b = w(prefix + ".bias")
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)
        return x.indices.map { (x[$0] - mean) / (variance + Double(c.layerNormEpsilon)).squareRoot() * g[$0] + b[$0] }
    }
    func linear(_ x: [Double], _ prefix: String) -> [Double] {
        let weight = w(prefix + ".weight"), bias = w(prefix + ".bias")
        let inputs = x.count
        return bias.indices.map { o in bias[o] + (0..<inputs).reduce(0) { $0 + weight[o * inputs + $1] * x[$1] } }
    }
    let h = c.hiddenSize
    let words = w("embeddings.word_embeddings.weight"), positions = w("embeddings.position_embeddings.weight")
    let typeTable = w("embeddings.token_type_embeddings.weight")
    var x = ids.indices.map { t in
        layerNorm((0..<h).map { words[Int(ids[t]) * h + $0] + positions[t * h + $0] + typeTable[Int(types[t]) * h + $0] },
                  "embeddings.LayerNorm")
    }
    for layer in 0..<c.layerCount {
        let p = "encoder.layer.\(layer)."
        let q = x.map { linear($0, p + "attention.self.query") }
        let k = x.map { linear($0, p + "attention.self.key") }
        let v = x.map { linear($0, p + "attention.self.value") }
        let d = c.headSize
        var context = Array(repeating: Array(repeating: 0.0, count: h), count: x.count)
        for head in 0..<c.headCount {
            let columns = (head * d)..<((head + 1) * d)
            for i in x.indices {
                let scores = x.indices.map { j in columns.reduce(0) { $0 + q[i][$1] * k[j][$1] } / Double(d).squareRoot() }
                let maximum = scores.max()!
                let exps = scores.map { Foundation.exp($0 - maximum) }
                let total = exps.reduce(0, +)
                for column in columns {
                    context[i][column] = x.indices.reduce(0) { $0 + exps[$1] / total * v[$1][column] }
                }
            }
        }
        x = x.indices.map { t in
            let projected = linear(context[t], p + "attention.output.dense")
            return layerNorm(projected.indices.map { projected[$0] + x[t][$0] }, p + "attention.output.LayerNorm")
        }
        x = x.map { row in
            let inner = linear(row, p + "intermediate.dense").map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
            let out = linear(inner, p + "output.dense")
            return layerNorm(out.indices.map { out[$0] + row[$0] }, p + "output.LayerNorm")
        }
    }
    return x
}

/// A tiny model whose biases and norms are random too, so every weight matters.
func tinyModel(seed: UInt64 = 3) throws -> BertModel {
    var generator = SeededGenerator(seed: seed)
    var weights = BertModel.randomlyInitialized(configuration: tinyConfiguration, seed: seed).namedTensors
    for name in weights.keys.sorted() {
        let shape = weights[name]!.shape
        weights[name] = generator.normalTensor(shape: shape, standardDeviation: 0.5)
        if name.hasSuffix("LayerNorm.weight") {
            weights[name]!.scalars = weights[name]!.scalars.map { 1 + $0 }
        }
    }
    return try BertModel(configuration: tinyConfiguration, weights: weights, source: "test")
}

@Suite struct BertModelTests {
    @Test func forwardMatchesAnIndependentDoublePrecisionImplementation() throws {
        let model = try tinyModel()
        let tokenizer = try tinyTokenizer()
        let encodings = [tokenizer.encode("hello world, the cats!"), tokenizer.encode("a", "b c")]
        let output = try model(TokenBatch(encodings))
        for (index, encoding) in encodings.enumerated() {
            let expected = referenceForward(model.namedTensors, tinyConfiguration, ids: encoding.ids, types: encoding.typeIDs)
            let actual = output.sequence(index)
            for (row, values) in expected.enumerated() {
                for (column, value) in values.enumerated() {
                    #expect(abs(Double(actual[row, column]) - value) < 1e-4, "sequence \(index) row \(row)")
                }
            }
        }
    }

    @Test func aSequenceGetsTheSameVectorsAloneAndBatchedWithOthers() throws {
        let model = try tinyModel()
        let tokenizer = try tinyTokenizer()
        let texts = ["hello world", "a b c the cat hello , !", "cat", "naive facade 中文 a b"]
        let encodings = texts.map { tokenizer.encode($0) }
        let batched = try model(TokenBatch(encodings))
        for (index, encoding) in encodings.enumerated() {
            let alone = try model(TokenBatch([encoding])).sequence(0)
            #expect(batched.sequence(index).maximumAbsoluteDifference(to: alone) < 1e-6)
        }
        // A right-padded batch with masks gives the same result as packing.
        let padded = try model(try TokenBatch(WordPieceTokenizer.pad(encodings, padID: 0)))
        #expect(padded.hiddenStates.maximumAbsoluteDifference(to: batched.hiddenStates) == 0)
    }

    @Test func leftPaddedMasksAreRejected() {
        let padded = PaddedBatch(inputIDs: [[0, 2, 3]], attentionMask: [[0, 1, 1]], tokenTypeIDs: [[0, 0, 0]])
        #expect(throws: TransformersError.self) { try TokenBatch(padded) }
    }

    @Test func idsOutsideTheTablesAndOverlongSequencesAreInputErrors() throws {
        let model = try tinyModel()
        var batch = TokenBatch()
        batch.append(ids: [2, 999, 3], typeIDs: [0, 0, 0])
        #expect(throws: TransformersError.self) { try model(batch) }
        var types = TokenBatch()
        types.append(ids: [2, 3], typeIDs: [0, 5])
        #expect(throws: TransformersError.self) { try model(types) }
        var long = TokenBatch()
        long.append(ids: Array(repeating: 5, count: 17), typeIDs: Array(repeating: 0, count: 17))
        #expect(throws: TransformersError.self) { try model(long) }
    }

    @Test func meanAndClsPoolingAndNormalisationFollowTheirDefinitions() throws {
        let model = try tinyModel()
        let output = try model(TokenBatch([try tinyTokenizer().encode("hello world")]))
        let states = output.sequence(0)
        let mean = output.pooled(.mean)
        let cls = output.pooled(.cls)
        for column in 0..<8 {
            let average = (0..<states.shape[0]).reduce(Float(0)) { $0 + states[$1, column] } / Float(states.shape[0])
            #expect(abs(mean[0, column] - average) < 1e-6)
            #expect(cls[0, column] == states[0, column])
        }
        #expect(abs(output.pooled(.mean, normalize: true).l2Norm - 1) < 1e-6)
    }

    @Test func aWrittenCheckpointLoadsBackWithIdenticalOutputs() throws {
        let model = try tinyModel()
        let directory = try TestPaths.temporaryDirectory()
        try Checkpoint.write(model: model, vocabulary: tinyVocabulary, to: directory)
        let checkpoint = try Checkpoint(directory: directory)
        #expect(checkpoint.configuration == tinyConfiguration)
        let encodings = [checkpoint.tokenizer.encode("hello cats")]
        let before = try model(TokenBatch(encodings)).hiddenStates
        let after = try checkpoint.model(TokenBatch(encodings)).hiddenStates
        #expect(before == after)
        #expect(try checkpoint.weightsSHA256() == SHA256.hex(of: try Data(contentsOf: directory.appendingPathComponent("model.safetensors"))))
    }

    @Test func taskHeadPrefixesAndPretrainingHeadsAreAccepted() throws {
        var weights: [String: Tensor] = [:]
        for (name, tensor) in try tinyModel().namedTensors { weights["bert." + name] = tensor }
        weights["cls.predictions.bias"] = Tensor(shape: [tinyVocabulary.count])
        weights["bert.embeddings.position_ids"] = Tensor(shape: [1, 16])
        let model = try BertModel(configuration: tinyConfiguration, weights: weights, source: "head.safetensors")
        #expect(model.parameters.count == 5 + 2 * 16)
        #expect(model.parameterCount == BertModel.randomlyInitialized(configuration: tinyConfiguration, seed: 1).parameterCount)
    }

    @Test func missingUnexpectedAndMisshapenWeightsAreNamed() throws {
        let good = try tinyModel().namedTensors
        var missing = good
        missing["encoder.layer.1.output.dense.bias"] = nil
        #expect(throws: TransformersError.missingWeights(path: "m", names: ["encoder.layer.1.output.dense.bias"])) {
            try BertModel(configuration: tinyConfiguration, weights: missing, source: "m")
        }
        var extra = good
        extra["encoder.layer.7.attention.self.query.weight"] = Tensor(shape: [8, 8])
        #expect(throws: TransformersError.unexpectedWeights(path: "m", names: ["encoder.layer.7.attention.self.query.weight"])) {
            try BertModel(configuration: tinyConfiguration, weights: extra, source: "m")
        }
        var misshapen = good
        misshapen["encoder.layer.0.intermediate.dense.weight"] = Tensor(shape: [8, 16])
        #expect(throws: TransformersError.weightShapeMismatch(
            path: "m", tensor: "encoder.layer.0.intermediate.dense.weight", expected: [16, 8], actual: [8, 16])) {
            try BertModel(configuration: tinyConfiguration, weights: misshapen, source: "m")
        }
    }

    @Test func aCheckpointWithACorruptWeightsFileFailsNamingTheFile() throws {
        let directory = try TestPaths.temporaryDirectory()
        try Checkpoint.write(model: try tinyModel(), vocabulary: tinyVocabulary, to: directory)
        let weights = directory.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 100).write(to: weights)
        do {
            _ = try Checkpoint(directory: directory)
            Issue.record("accepted a truncated checkpoint")
        } catch {
            #expect(error.localizedDescription.contains(weights.path))
            #expect(error.localizedDescription.contains("truncated"))
        }
    }

    @Test func theEmbedderReturnsVectorsInInputOrderWhateverTheBatchSize() throws {
        let model = try tinyModel()
        let tokenizer = try tinyTokenizer()
        let texts = ["cat", "hello world the cat", "a", "b c", "naive", "中文 hello"]
        let one = try SentenceEmbedder(tokenizer: tokenizer, model: model, batchSize: 1).embed(texts)
        let many = try SentenceEmbedder(tokenizer: tokenizer, model: model, batchSize: 4).embed(texts)
        #expect(one.maximumAbsoluteDifference(to: many) < 1e-6)
        let third = try model(TokenBatch([tokenizer.encode("a", maxLength: 128)])).pooled(.mean)
        #expect(Array(one.row(2)) == third.scalars)
    }
}
