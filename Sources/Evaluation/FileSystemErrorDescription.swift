import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plain words for the errors Foundation and the C library raise about files.
///
/// Foundation's own text on Linux is either generic ("The operation could not be completed.
/// (NSCocoaErrorDomain error 512.)") or, printed with `\(error)`, the whole `NSError` with its
/// user-info dictionary. Every place that shows a file error to the user goes through here, so
/// each says what happened to which path in the same words, and the command line gives it the
/// right exit code.
public enum FileSystemErrorDescription {
    /// The POSIX error number behind a file error: a `POSIXError`, an `NSError` in
    /// `NSPOSIXErrorDomain`, or a `CocoaError` whose underlying error is one of those.
    public static func posixCode(of error: Error) -> Int32? {
        if let error = error as? POSIXError { return error.code.rawValue }
        let object = error as NSError
        if object.domain == NSPOSIXErrorDomain { return Int32(object.code) }
        if object.domain == NSCocoaErrorDomain, let underlying = object.userInfo[NSUnderlyingErrorKey] as? Error {
            return posixCode(of: underlying)
        }
        return nil
    }

    /// The path a Foundation file error names, when it names one.
    public static func path(of error: Error) -> String? {
        let object = error as NSError
        guard object.domain == NSCocoaErrorDomain || object.domain == NSPOSIXErrorDomain else { return nil }
        if let path = object.userInfo[NSFilePathErrorKey] as? String { return path }
        return (object.userInfo[NSURLErrorKey] as? URL)?.path
    }

    /// Whether the error is about a file (and so has plain words here).
    public static func isFileSystemError(_ error: Error) -> Bool {
        if error is POSIXError { return true }
        let domain = (error as NSError).domain
        return domain == NSPOSIXErrorDomain || domain == NSCocoaErrorDomain && posixCode(of: error) != nil
    }

    /// What went wrong, in a few lowercase words ("no space left on device"), for a file error.
    public static func reason(of error: Error) -> String? {
        guard isFileSystemError(error), let code = posixCode(of: error) else { return nil }
        return reason(forCode: code)
    }

    /// The words for a POSIX error number: the common ones spelt for people who did not write
    /// the C library, any other as `strerror` gives it.
    public static func reason(forCode code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or folder"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EISDIR: return "is a folder, not a file"
        case ENOTDIR: return "a part of the path is a file, not a folder"
        case EEXIST: return "already exists"
        case ENAMETOOLONG: return "the name is too long"
        case EMFILE, ENFILE: return "too many open files"
        case EIO: return "input/output error (a failing disk or a lost network mount)"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// The reason for a file error, the error's own description for anything else (for messages
    /// that name the path themselves).
    public static func reasonOrDescription(of error: Error) -> String {
        reason(of: error) ?? error.localizedDescription
    }

    /// A message for the user: "PATH: REASON" for a file error (`path` overrides the error's own),
    /// the error's description for anything else.
    public static func message(for error: Error, path: String? = nil) -> String {
        guard let reason = reason(of: error) else { return error.localizedDescription }
        guard let path = path ?? self.path(of: error) else { return reason }
        return "\(path): \(reason)"
    }

    /// A file error's category: the user's path (missing, unwritable, a folder: exit 2) or the
    /// machine (a full disk, an I/O error: exit 3). Nil for errors that are not about files.
    public static func category(of error: Error) -> ErrorCategory? {
        guard isFileSystemError(error), let code = posixCode(of: error) else { return nil }
        switch code {
        case ENOENT, EACCES, EPERM, EROFS, EISDIR, ENOTDIR, EEXIST, ENAMETOOLONG: return .invalidInput
        default: return .runtimeFailure
        }
    }

    /// Bytes free for an unprivileged writer on the file system holding `path` (or its nearest
    /// existing ancestor), or nil when it cannot be asked.
    public static func availableBytes(near path: String) -> Int64? {
        var url = URL(fileURLWithPath: path)
        while !FileManager.default.fileExists(atPath: url.path), url.path != "/" { url.deleteLastPathComponent() }
        var status = statvfs()
        guard statvfs(url.path, &status) == 0 else { return nil }
        return Int64(status.f_bavail) * Int64(status.f_frsize)
    }

    /// A byte count as people read it: "812 bytes", "14.2 KB", "1.4 MB", "2.31 GB" (powers of 1000).
    public static func byteCount(_ bytes: Int64) -> String {
        let value = Double(bytes)
        if bytes < 1_000 { return "\(bytes) bytes" }
        if bytes < 1_000_000 { return String(format: "%.1f KB", value / 1e3) }
        if bytes < 1_000_000_000 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.2f GB", value / 1e9)
    }
}
