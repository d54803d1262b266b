import Foundation

/// Responses of a served model kept under the digest of the request that produced them, so a
/// request sent once is never sent again: a re-run of a finished suite sends nothing, and an
/// interrupted one sends only what it still lacks.
///
/// The digest covers everything that determines the response (method, full URL, body) and
/// nothing secret: credentials travel in headers the digest leaves out. `Backends` computes it;
/// `ResultStore` keeps the bodies in SQLite; the command line and suites choose the file.
public protocol ResponseCache: AnyObject, Sendable {
    /// The body stored under `digest`, or nil when the request was never answered.
    func cachedResponse(digest: String) throws -> Data?
    /// Keeps a successful, well-formed response body under `digest`; `endpoint` (the URL,
    /// without credentials) says where it came from, for people reading the cache.
    func storeResponse(_ body: Data, digest: String, endpoint: String) throws
}
