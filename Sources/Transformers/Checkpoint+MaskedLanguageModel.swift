import Foundation

extension Checkpoint {
    /// The masked-LM head, or an error (invalid input, exit 2) naming what is needed.
    public func requireMaskedLanguageModelHead() throws -> MaskedLanguageModelHead {
        guard let maskedLanguageModelHead else {
            throw TransformersError.invalidInput(
                reason: "\(directory.path) has no masked-LM head (cls.predictions.*); CrowS-Pairs and StereoSet "
                    + "need a checkpoint saved from BertForMaskedLM (e.g. bert-base-uncased), or one written by "
                    + "`adapteval pretrain`")
        }
        return maskedLanguageModelHead
    }

    /// Tokenizer files copied into a written checkpoint when the source has them.
    public static let tokenizerFileNames = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    /// Writes a complete Hugging Face `BertForMaskedLM` folder that `from_pretrained` loads with
    /// no missing or unexpected keys, and that `init(directory:)` reads back with the head.
    ///
    /// - `config.json`: the model's configuration with `"architectures": ["BertForMaskedLM"]`
    ///   and `tie_word_embeddings` saying whether the decoder is tied.
    /// - `model.safetensors`: the encoder under `bert.` names, `cls.predictions.transform.*` and
    ///   `cls.predictions.bias`; a tied decoder weight is not stored, exactly as `save_pretrained`
    ///   writes it (an untied one is, as `cls.predictions.decoder.weight`). A pooler is left out:
    ///   `BertForMaskedLM` has none.
    /// - the tokenizer files of `tokenizerSource` (`vocab.txt` and/or `tokenizer.json`,
    ///   `tokenizer_config.json`, `special_tokens_map.json`), copied unchanged.
    ///
    /// Adapters and soft prompts must be merged or removed first: a `BertForMaskedLM` has no
    /// place for them.
    public static func writeMaskedLanguageModel(
        model: BertModel, head: MaskedLanguageModelHead, tokenizerSource: URL, to directory: URL
    ) throws {
        let hasAdapters = model.softPrompt != nil || model.layers.contains { layer in
            layer.attentionAdapter != nil || layer.outputAdapter != nil || layer.linears.contains { $0.adapter != nil }
        }
        guard !hasAdapters else {
            throw TransformersError.invalidInput(
                reason: "the model has adapters or a soft prompt, which a BertForMaskedLM folder cannot hold; "
                    + "merge LoRA adapters into the weights before writing \(directory.path)")
        }
        guard head.hiddenSize == model.configuration.hiddenSize, head.vocabularySize == model.configuration.vocabularySize,
            !head.isTied || head.decoder.weight === model.wordEmbeddings.table
        else {
            throw TransformersError.invalidInput(
                reason: "the masked-LM head (hidden \(head.hiddenSize), vocabulary \(head.vocabularySize)) does not "
                    + "belong to this model (hidden \(model.configuration.hiddenSize), vocabulary "
                    + "\(model.configuration.vocabularySize)); write \(directory.path) from a matching pair")
        }
        let fileManager = FileManager.default
        let copies = tokenizerFileNames.filter {
            fileManager.fileExists(atPath: tokenizerSource.appendingPathComponent($0).path)
        }
        guard copies.contains("vocab.txt") || copies.contains("tokenizer.json") else {
            throw TransformersError.invalidTokenizer(
                path: tokenizerSource.path, reason: "has neither vocab.txt nor tokenizer.json to copy")
        }
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = model.configuration.jsonObject
        config["architectures"] = ["BertForMaskedLM"]
        config["tie_word_embeddings"] = head.isTied
        let configData = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try configData.write(to: directory.appendingPathComponent("config.json"))
        var tensors: [String: Tensor] = [:]
        for parameter in model.parameters where !parameter.name.hasPrefix("pooler.") {
            tensors["bert." + parameter.name] = parameter.value
        }
        tensors.merge(head.namedTensors) { _, new in new }
        try SafetensorsWriter.write(
            tensors: tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
        for name in copies {
            let source = tokenizerSource.appendingPathComponent(name)
            let target = directory.appendingPathComponent(name)
            guard source.standardizedFileURL != target.standardizedFileURL else { continue }
            do {
                if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
                try fileManager.copyItem(at: source, to: target)
            } catch {
                throw TransformersError.unreadableFile(path: target.path, reason: "cannot copy \(source.path): \(error.localizedDescription)")
            }
        }
    }
}
