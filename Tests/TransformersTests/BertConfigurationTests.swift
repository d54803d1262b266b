import Foundation
import Testing

@testable import Transformers

@Suite struct BertConfigurationTests {
    let miniLM = """
        {"architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
         "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02,
         "intermediate_size": 1536, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
         "model_type": "bert", "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0,
         "position_embedding_type": "absolute", "transformers_version": "4.8.2",
         "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522}
        """

    func decode(_ json: String) throws -> BertConfiguration {
        try BertConfiguration(data: Data(json.utf8), path: "config.json")
    }

    func edited(_ replace: String, with replacement: String) -> String {
        miniLM.replacingOccurrences(of: replace, with: replacement)
    }

    @Test func theMiniLMConfigurationDecodesWithEveryField() throws {
        let c = try decode(miniLM)
        #expect(c.hiddenSize == 384 && c.layerCount == 6 && c.headCount == 12 && c.headSize == 32)
        #expect(c.intermediateSize == 1536 && c.vocabularySize == 30522 && c.maximumPositions == 512)
        #expect(c.typeVocabularySize == 2 && c.layerNormEpsilon == 1e-12 && c.activation == "gelu")
        #expect(c.hiddenDropout == 0.1 && c.attentionDropout == 0.1 && c.padTokenID == 0)
    }

    @Test func otherModelTypesAreRejectedByName() {
        #expect(throws: TransformersError.unsupportedArchitecture(path: "config.json", name: "roberta", supported: ["bert"])) {
            try decode(edited(#""model_type": "bert""#, with: #""model_type": "roberta""#))
        }
    }

    @Test func nonBertArchitecturesAreRejectedByName() throws {
        do {
            _ = try decode(edited(#"["BertModel"]"#, with: #"["GPT2LMHeadModel"]"#))
            Issue.record("accepted GPT-2")
        } catch {
            #expect(error.localizedDescription.contains("GPT2LMHeadModel"))
        }
    }

    @Test func unsupportedActivationsAndPositionEmbeddingsAreRejected() {
        #expect(throws: TransformersError.self) { try decode(edited(#""gelu""#, with: #""gelu_new""#)) }
        #expect(throws: TransformersError.self) {
            try decode(edited(#""absolute""#, with: #""relative_key""#))
        }
    }

    @Test func aHiddenSizeThatHeadsDoNotDivideIsRejected() {
        #expect(throws: TransformersError.self) { try decode(edited(#""num_attention_heads": 12"#, with: #""num_attention_heads": 7"#)) }
    }

    @Test func missingAndMistypedKeysAreNamedInTheMessage() {
        do {
            _ = try decode(edited(#""hidden_size": 384,"#, with: ""))
            Issue.record("accepted a config without hidden_size")
        } catch {
            #expect(error.localizedDescription == "config.json: missing 'hidden_size'")
        }
        do {
            _ = try decode(edited(#""num_hidden_layers": 6"#, with: #""num_hidden_layers": "six""#))
            Issue.record("accepted a string layer count")
        } catch {
            #expect(error.localizedDescription.contains("'num_hidden_layers' must be a number"))
        }
        #expect(throws: TransformersError.invalidConfiguration(path: "config.json", reason: "not valid JSON")) {
            try decode("{oops")
        }
    }

    @Test func optionalKeysTakeBertDefaults() throws {
        let c = try decode(
            #"{"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "vocab_size": 10}"#)
        #expect(c.maximumPositions == 512 && c.typeVocabularySize == 2 && c.activation == "gelu")
    }
}
