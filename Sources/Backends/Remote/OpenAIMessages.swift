import Foundation

/// The request and response bodies of the OpenAI-compatible API, as far as AdaptEval uses
/// them, and their decoding: anything malformed, cut short or of the wrong shape becomes a
/// `RemoteClient.ShapeError` saying what is wrong where (`choices[0].logprobs is missing`).
enum OpenAIMessages {
    /// `POST /v1/completions`.
    struct CompletionRequest: Encodable {
        var model: String
        var prompt: String
        var maxTokens: Int
        var temperature: Double
        var topP: Double?
        var seed: UInt64?
        var stop: [String]?
        var logprobs: Int?
        var echo: Bool?

        enum CodingKeys: String, CodingKey {
            case model, prompt, maxTokens = "max_tokens", temperature, topP = "top_p", seed, stop, logprobs, echo
        }
    }

    struct ChatMessage: Codable {
        var role: String
        var content: String
    }

    /// `POST /v1/chat/completions`.
    struct ChatRequest: Encodable {
        var model: String
        var messages: [ChatMessage]
        var maxTokens: Int
        var temperature: Double
        var topP: Double?
        var seed: UInt64?
        var stop: [String]?
        var logprobs: Bool?

        enum CodingKeys: String, CodingKey {
            case model, messages, maxTokens = "max_tokens", temperature, topP = "top_p", seed, stop, logprobs
        }
    }

    /// `POST /v1/embeddings`.
    struct EmbeddingRequest: Encodable {
        var model: String
        var input: String
        var encodingFormat = "float"

        enum CodingKeys: String, CodingKey { case model, input, encodingFormat = "encoding_format" }
    }

    struct CompletionResponse: Decodable {
        struct Choice: Decodable {
            var text: String
            var logprobs: LogProbabilities?
        }
        /// The legacy completions format: parallel arrays, one entry per token.
        struct LogProbabilities: Decodable {
            var tokens: [String]?
            /// null where the server has no probability (the first token of a text without a
            /// beginning-of-text token).
            var tokenLogprobs: [Double?]
            var textOffset: [Int]?

            enum CodingKeys: String, CodingKey { case tokens, tokenLogprobs = "token_logprobs", textOffset = "text_offset" }
        }
        var choices: [Choice]
    }

    struct ChatResponse: Decodable {
        struct Choice: Decodable {
            var message: Message
            var logprobs: LogProbabilities?
        }
        struct Message: Decodable {
            var content: String?
        }
        struct LogProbabilities: Decodable {
            struct Token: Decodable {
                var token: String
                var logprob: Double
            }
            var content: [Token]?
        }
        var choices: [Choice]
    }

    struct EmbeddingResponse: Decodable {
        struct Item: Decodable {
            var embedding: Vectors
        }
        /// One pooled vector, or one vector per token (llama.cpp's server without pooling).
        enum Vectors: Decodable {
            case pooled([Double])
            case perToken([[Double]])

            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let vector = try? container.decode([Double].self) {
                    self = .pooled(vector)
                } else if let rows = try? container.decode([[Double]].self) {
                    self = .perToken(rows)
                } else {
                    throw DecodingError.typeMismatch(
                        [Double].self, .init(codingPath: decoder.codingPath, debugDescription: "expected an array of numbers"))
                }
            }
        }
        var data: [Item]
    }

    /// Canonical JSON (sorted keys), so equal requests have equal bytes and digests.
    static func encode<Body: Encodable>(_ body: Body) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail; an empty body would be refused by the server.
        return (try? encoder.encode(body)) ?? Data()
    }

    /// Decodes `body`, describing any failure as a shape error.
    static func decode<Body: Decodable>(_ type: Body.Type, from body: Data) throws -> Body {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let error as DecodingError {
            throw RemoteClient.ShapeError.invalid(describe(error, bytes: body.count))
        } catch {
            throw RemoteClient.ShapeError.invalid("\(error.localizedDescription) (\(body.count) bytes)")
        }
    }

    static func describe(_ error: DecodingError, bytes: Int) -> String {
        func path(_ keys: [CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the body" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return bytes == 0 ? "the body is empty" : "the body is not valid JSON (\(bytes) bytes; cut short?)"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null where \(describe(type)) is needed"
        @unknown default:
            return "the body has an unexpected shape"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type, is Int.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is [Double].Type: return "an array of numbers"
        default:
            return "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
