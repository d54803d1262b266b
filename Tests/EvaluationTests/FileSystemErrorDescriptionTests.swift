import Evaluation
import Foundation
import TestSupport
import Testing

/// Real errors from Foundation's file APIs, turned into plain words with the right category.
@Suite struct FileSystemErrorDescriptionTests {
    /// The error a closure throws.
    static func error(of body: () throws -> Void) -> Error? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func aMissingFolderIsTheUsersPathAndNamed() throws {
        let folder = try TestPaths.temporaryDirectory()
        let path = folder.appendingPathComponent("missing dir/x.csv").path
        let error = try #require(Self.error { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) })
        #expect("\(error)".contains("Error Domain"), "Foundation's own text is the raw NSError")
        #expect(FileSystemErrorDescription.posixCode(of: error) == ENOENT)
        #expect(FileSystemErrorDescription.message(for: error) == "\(path): no such file or folder")
        #expect(FileSystemErrorDescription.category(of: error) == .invalidInput)
    }

    @Test func writingOverAFolderSaysItIsAFolder() throws {
        let folder = try TestPaths.temporaryDirectory()
        let error = try #require(Self.error { try Data("x".utf8).write(to: folder) })
        #expect(FileSystemErrorDescription.reason(of: error) == "is a folder, not a file")
        #expect(FileSystemErrorDescription.category(of: error) == .invalidInput)
        #expect(FileSystemErrorDescription.message(for: error, path: "out.csv") == "out.csv: is a folder, not a file")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func aFullDiskIsARuntimeFailure() throws {
        let mount = try TestPaths.temporaryDirectory("adapteval-full")
        let status = Self.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", mount.path])
        try #require(status == 0)
        defer { _ = Self.run("/usr/bin/umount", [mount.path]) }
        #expect(FileSystemErrorDescription.availableBytes(near: mount.appendingPathComponent("a/b").path) == 16_384)
        let file = mount.appendingPathComponent("big.bin")
        let error = try #require(Self.error { try Data(count: 100_000).write(to: file) })
        #expect(FileSystemErrorDescription.reason(of: error) == "no space left on device")
        #expect(FileSystemErrorDescription.path(of: error) == file.path)
        #expect(FileSystemErrorDescription.category(of: error) == .runtimeFailure)
    }

    @Test func posixErrorsAndOtherErrors() {
        let denied = POSIXError(.EACCES)
        #expect(FileSystemErrorDescription.reason(of: denied) == "permission denied")
        #expect(FileSystemErrorDescription.category(of: denied) == .invalidInput)
        let io = NSError(domain: NSPOSIXErrorDomain, code: Int(EIO))
        #expect(FileSystemErrorDescription.category(of: io) == .runtimeFailure)
        // An error that is not about files keeps its own description.
        let other = EvaluationError.invalidArgument(reason: "y")
        #expect(!FileSystemErrorDescription.isFileSystemError(other))
        #expect(FileSystemErrorDescription.message(for: other) == other.localizedDescription)
        #expect(FileSystemErrorDescription.reason(forCode: ENOTDIR) == "a part of the path is a file, not a folder")
        // Anything else: strerror's words, starting lowercase.
        #expect(FileSystemErrorDescription.reason(forCode: EXDEV) == "invalid cross-device link")
    }

    @Test func byteCountsReadAsPeopleReadThem() {
        #expect(FileSystemErrorDescription.byteCount(812) == "812 bytes")
        #expect(FileSystemErrorDescription.byteCount(14_200) == "14.2 KB")
        #expect(FileSystemErrorDescription.byteCount(1_400_000) == "1.4 MB")
        #expect(FileSystemErrorDescription.byteCount(2_310_000_000) == "2.31 GB")
    }

    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
