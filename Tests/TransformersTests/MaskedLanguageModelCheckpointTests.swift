import Evaluation
import Foundation
import TestSupport
import Testing

@testable import Transformers

/// Rewrites a checkpoint's weights with `extra` tensors added (names as given).
private func addTensors(_ extra: [String: Tensor], to directory: URL) throws {
    let url = directory.appendingPathComponent("model.safetensors")
    let file = try SafetensorsFile(contentsOf: url)
    var tensors: [String: Tensor] = [:]
    for name in file.names { tensors[name] = try file.tensor(name) }
    tensors.merge(extra) { _, new in new }
    try SafetensorsWriter.write(tensors: tensors, to: url)
}

/// The tensors of a random head for `TinyCheckpoint`'s shape, under their checkpoint names.
private func headTensors(_ checkpoint: Checkpoint, seed: UInt64 = 3) -> [String: Tensor] {
    tinyHead(for: checkpoint.model, seed: seed).namedTensors
}

/// Sequences over `TinyCheckpoint.vocabulary` with every position but [CLS] and [SEP] scored.
private func tinySequences(_ tokenizer: WordPieceTokenizer) -> [ScoredSequence] {
    ["hello world, the cats!", "the good food was not awful", "a dog"].map {
        let ids = tokenizer.encode($0).ids
        return ScoredSequence(ids: ids, positions: Array(1..<(ids.count - 1)))
    }
}

@Suite struct MaskedLanguageModelCheckpointTests {
    @Test func aCheckpointWithoutAHeadLoadsAndSaysWhatIsNeededWhenOneIsRequired() throws {
        let directory = try TinyCheckpoint.make()
        let checkpoint = try Checkpoint(directory: directory)
        #expect(checkpoint.maskedLanguageModelHead == nil)
        do {
            _ = try BertMaskedLanguageModel(checkpoint: checkpoint)
            Issue.record("a checkpoint without cls.predictions.* must not give a masked LM")
        } catch let error as TransformersError {
            #expect(error.category == .invalidInput)
            #expect(error.localizedDescription == "\(directory.path) has no masked-LM head (cls.predictions.*); "
                + "CrowS-Pairs and StereoSet need a checkpoint saved from BertForMaskedLM (e.g. bert-base-uncased), "
                + "or one written by `adapteval pretrain`")
        }
    }

    @Test func otherPretrainingHeadsAreIgnored() throws {
        let directory = try TinyCheckpoint.make()
        try addTensors(
            ["cls.seq_relationship.weight": Tensor(shape: [2, 16]), "cls.seq_relationship.bias": Tensor(shape: [2])],
            to: directory)
        #expect(try Checkpoint(directory: directory).maskedLanguageModelHead == nil)
    }

    @Test func aStoredHeadLoadsTiedToTheWordEmbeddings() throws {
        let directory = try TinyCheckpoint.make()
        let tensors = headTensors(try Checkpoint(directory: directory))
        try addTensors(tensors, to: directory)
        let checkpoint = try Checkpoint(directory: directory)
        let head = try checkpoint.requireMaskedLanguageModelHead()
        #expect(head.isTied && head.decoder.weight === checkpoint.model.wordEmbeddings.table)
        #expect(head.namedTensors == tensors)
        #expect(head.transformNorm.epsilon == checkpoint.configuration.layerNormEpsilon)
    }

    @Test func theOutputBiasMayBeStoredUnderTheDecoderName() throws {
        let directory = try TinyCheckpoint.make()
        var tensors = headTensors(try Checkpoint(directory: directory))
        let bias = tensors.removeValue(forKey: MaskedLanguageModelHead.outputBiasName)
        tensors[MaskedLanguageModelHead.decoderBiasName] = bias
        try addTensors(tensors, to: directory)
        let head = try #require(try Checkpoint(directory: directory).maskedLanguageModelHead)
        #expect(head.decoder.bias?.value == bias && head.decoder.bias?.name == MaskedLanguageModelHead.outputBiasName)
    }

    @Test func aStoredDecoderEqualToTheEmbeddingsIsTiedAndADifferentOneIsNot() throws {
        let directory = try TinyCheckpoint.make()
        let base = try Checkpoint(directory: directory)
        var tensors = headTensors(base)
        tensors[MaskedLanguageModelHead.decoderWeightName] = base.model.wordEmbeddings.table.value
        try addTensors(tensors, to: directory)
        let equal = try Checkpoint(directory: directory)
        #expect(equal.maskedLanguageModelHead?.isTied == true)
        var different = base.model.wordEmbeddings.table.value
        different.scalars[0] += 1
        try addTensors([MaskedLanguageModelHead.decoderWeightName: different], to: directory)
        let untied = try #require(try Checkpoint(directory: directory).maskedLanguageModelHead)
        #expect(!untied.isTied && untied.decoder.weight.value == different)
        #expect(untied.parameters.contains { $0.name == MaskedLanguageModelHead.decoderWeightName })
    }

    @Test func anIncompleteOrMisshapenHeadIsRejectedByName() throws {
        let directory = try TinyCheckpoint.make()
        var tensors = headTensors(try Checkpoint(directory: directory))
        tensors.removeValue(forKey: MaskedLanguageModelHead.normBiasName)
        try addTensors(tensors, to: directory)
        #expect(throws: TransformersError.missingWeights(
            path: directory.appendingPathComponent("model.safetensors").path,
            names: [MaskedLanguageModelHead.normBiasName])) { try Checkpoint(directory: directory) }
        try addTensors([MaskedLanguageModelHead.normBiasName: Tensor(shape: [15])], to: directory)
        #expect(throws: TransformersError.weightShapeMismatch(
            path: directory.appendingPathComponent("model.safetensors").path,
            tensor: MaskedLanguageModelHead.normBiasName, expected: [16], actual: [15])) { try Checkpoint(directory: directory) }
    }

    @Test func aWrittenFolderIsWhatSavePretrainedWritesAndReadsBackWithTheSameScores() throws {
        let source = try TinyCheckpoint.make()
        try addTensors(headTensors(try Checkpoint(directory: source)), to: source)
        let checkpoint = try Checkpoint(directory: source)
        let language = try BertMaskedLanguageModel(checkpoint: checkpoint)
        let target = try TestPaths.temporaryDirectory("adapteval-mlm-written")
        try Checkpoint.writeMaskedLanguageModel(
            model: checkpoint.model, head: language.head, tokenizerSource: source, to: target)

        let config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: target.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["architectures"] as? [String] == ["BertForMaskedLM"])
        #expect(config?["tie_word_embeddings"] as? Bool == true)
        let names = try SafetensorsFile(contentsOf: target.appendingPathComponent("model.safetensors")).names
        #expect(names.allSatisfy { $0.hasPrefix("bert.") || $0.hasPrefix("cls.predictions.") })
        #expect(names.filter { $0.hasPrefix("cls.") } == [
            "cls.predictions.bias", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.transform.LayerNorm.weight",
            "cls.predictions.transform.dense.bias", "cls.predictions.transform.dense.weight",
        ])
        #expect(names.contains("bert.embeddings.word_embeddings.weight"))
        #expect(try String(contentsOf: target.appendingPathComponent("vocab.txt"), encoding: .utf8)
            == String(contentsOf: source.appendingPathComponent("vocab.txt"), encoding: .utf8))

        let reread = try BertMaskedLanguageModel(checkpoint: Checkpoint(directory: target))
        #expect(reread.head.isTied)
        let sequences = tinySequences(checkpoint.tokenizer)
        #expect(try reread.logProbabilities(of: sequences) == language.logProbabilities(of: sequences))
    }

    @Test func anUntiedHeadIsWrittenWithItsDecoder() throws {
        let source = try TinyCheckpoint.make()
        let checkpoint = try Checkpoint(directory: source)
        let head = tinyHead(for: checkpoint.model, tied: false)
        head.decoder.weight.value.scalars[5] += 0.5  // a decoder equal to the embeddings would read back tied
        let target = try TestPaths.temporaryDirectory("adapteval-mlm-untied")
        try Checkpoint.writeMaskedLanguageModel(model: checkpoint.model, head: head, tokenizerSource: source, to: target)
        let reread = try #require(try Checkpoint(directory: target).maskedLanguageModelHead)
        #expect(!reread.isTied && reread.decoder.weight.value == head.decoder.weight.value)
        #expect(reread.decoder.weight.name == MaskedLanguageModelHead.decoderWeightName)
    }

    @Test func scoresDoNotDependOnHowCopiesAreBatched() throws {
        let source = try TinyCheckpoint.make()
        try addTensors(headTensors(try Checkpoint(directory: source)), to: source)
        let checkpoint = try Checkpoint(directory: source)
        var language = try BertMaskedLanguageModel(checkpoint: checkpoint)
        let sequences = tinySequences(checkpoint.tokenizer)
        let together = try language.scores(of: sequences, top: 3)
        language.maximumBatchTokens = 12
        language.maximumBatchRows = 2
        let apart = try language.scores(of: sequences, top: 3)
        #expect(together.map(\.count) == sequences.map(\.positions.count))
        for (a, b) in zip(together.joined(), apart.joined()) {
            #expect(abs(a.logProbability - b.logProbability) < 1e-5)
            #expect(a.top.map(\.tokenID) == b.top.map(\.tokenID))
            #expect(a.top.count == 3 && a.logProbability <= a.top[0].logProbability)
        }
        // Log-probabilities of a row normalise: the top entries never sum past probability 1.
        #expect(together.joined().allSatisfy { $0.top.map { exp($0.logProbability) }.reduce(0, +) <= 1 + 1e-9 })
    }

    @Test func aPositionOutsideItsSequenceIsRejected() throws {
        let model = try tinyModel()
        let language = BertMaskedLanguageModel(model: model, head: tinyHead(for: model), maskID: 4)
        #expect(throws: TransformersError.self) {
            try language.logProbabilities(of: [ScoredSequence(ids: [2, 5, 3], positions: [3])])
        }
        #expect(throws: TransformersError.self) {
            try language.logProbabilities(of: [ScoredSequence(ids: [2, 5, 3], typeIDs: [0], positions: [1])])
        }
    }
}
