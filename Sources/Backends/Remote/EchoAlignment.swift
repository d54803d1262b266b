import Foundation

/// Picks a continuation's tokens out of an echoed completion.
///
/// The server tokenizes prompt + continuation as one text (so the continuation is scored in
/// the context it would be generated in) and returns, per token, its log-probability given the
/// tokens before it and its character offset in the text (`text_offset`, in Unicode scalars as
/// Python counts them), followed by the tokens it generated (offsets at or past the end).
///
/// A token belongs to the continuation when it covers any of the continuation's characters:
/// its span [offset_i, offset_i+1) ends after the prompt. A token that straddles the boundary
/// (a prompt ending in a space tokenized with the next word, say) therefore counts, with its
/// probability given the prompt before it. A null log-probability (the first token of a text
/// without a beginning-of-text token, which nothing conditions) is left out when it is the
/// text's first token and is an error anywhere else.
enum EchoAlignment {
    struct Echo: Sendable {
        /// The echoed text with what was generated after it.
        var text: String
        var offsets: [Int]
        var logProbabilities: [Double?]
    }

    static func continuationLogProbabilities(prompt: String, continuation: String, echoed: Echo) throws -> [Double] {
        let promptLength = prompt.unicodeScalars.count
        let fullLength = promptLength + continuation.unicodeScalars.count
        let offsets = echoed.offsets
        // Tokens starting at or after the end were generated, not echoed.
        let echoedCount = offsets.firstIndex { $0 >= fullLength } ?? offsets.count
        guard echoedCount > 0 else { throw RemoteClient.ShapeError.invalid("the server echoed no tokens of the text") }
        for index in 1..<max(echoedCount, 1) where offsets[index] < offsets[index - 1] {
            throw RemoteClient.ShapeError.invalid("choices[0].logprobs.text_offset decreases at token \(index)")
        }
        var values: [Double] = []
        for index in 0..<echoedCount {
            let end = index + 1 < offsets.count ? min(offsets[index + 1], fullLength) : fullLength
            // Zero-width tokens (a beginning-of-text token) cover nothing.
            guard end > promptLength, end > offsets[index] else { continue }
            guard let value = echoed.logProbabilities[index] else {
                if index == 0 { continue }
                throw RemoteClient.ShapeError.invalid("choices[0].logprobs.token_logprobs[\(index)] is null inside the text")
            }
            guard value.isFinite || value == -.infinity, value <= 1e-9 else {
                throw RemoteClient.ShapeError.invalid("choices[0].logprobs.token_logprobs[\(index)] = \(value) is not a log-probability")
            }
            values.append(value)
        }
        if values.isEmpty, !continuation.isEmpty {
            throw RemoteClient.ShapeError.invalid("no echoed token covers the continuation (offsets end at \(offsets[echoedCount - 1]))")
        }
        return values
    }
}
