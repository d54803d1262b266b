import Evaluation
import Foundation

/// When to try a request again and how long to wait first.
///
/// Retryable: 408, 409, 425, 429 and every 5xx status, connection errors and timeouts. The wait
/// before retry n (1-based) is exponential backoff with "equal jitter" (Brooker, "Exponential
/// Backoff And Jitter", AWS Architecture Blog, 2015): with b = min(maximum, initial · 2ⁿ⁻¹),
/// wait = b/2 + U·b/2 for U uniform in [0, 1), so waits grow, never collapse to zero, and
/// clients that failed together spread out. A server's `Retry-After` (seconds or an HTTP date,
/// RFC 9110 §10.2.3) replaces the backoff, plus up to 10% jitter; asked to wait longer than
/// `longestRetryAfter`, the client gives up instead of hanging. U comes from SplitMix64 seeded by
/// the request digest and retry number, so waits repeat exactly.
struct RetryPolicy: Sendable {
    var retries: Int
    var initialBackoff: Double
    var maximumBackoff: Double
    /// The longest `Retry-After` honoured, in seconds.
    var longestRetryAfter: Double = 300

    static func isRetryable(status: Int) -> Bool {
        [408, 409, 425, 429].contains(status) || (500...599).contains(status)
    }

    /// The wait before retry `retry` (1-based) of the request with `digest`.
    func backoff(retry: Int, digest: String, retryAfter: Double?) -> Double {
        var generator = SplitMix64(seed: Self.seed(digest) &+ UInt64(retry))
        let uniform = Double(generator.next() >> 11) / Double(1 << 53)
        if let retryAfter { return retryAfter * (1 + 0.1 * uniform) }
        let base = min(maximumBackoff, initialBackoff * pow(2, Double(retry - 1)))
        return base / 2 + uniform * base / 2
    }

    static func seed(_ digest: String) -> UInt64 { UInt64(digest.prefix(16), radix: 16) ?? 0 }

    /// Seconds to wait from a `Retry-After` value: a number of seconds or an HTTP date; nil
    /// when absent or unreadable.
    static func retryAfterSeconds(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
