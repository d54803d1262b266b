import Foundation
import ResultStore
import TestSupport
import Testing

/// Output paths are the user's input: a missing folder, a folder given as the file, or a place
/// the user may not write is exit 2 naming the path, in plain words (never Foundation's
/// "Error Domain=NSCocoaErrorDomain …"), before any work is done.
@Suite struct OutputPathTests {
    static func database() throws -> (folder: URL, path: String) {
        let folder = try TestPaths.temporaryDirectory("adapteval-output")
        let path = folder.appendingPathComponent("r.sqlite").path
        _ = try ResultDatabase(path: path)
        return (folder, path)
    }

    static func expectPlain(_ result: CommandRunner.Result, exit: Int32, saying words: String, _ context: String) {
        #expect(result.status == exit, "\(context): exit \(result.status): \(result.standardError)")
        #expect(result.standardError.contains(words), "\(context): \(result.standardError)")
        #expect(!result.standardError.contains("Error Domain") && !result.standardError.contains("UserInfo"),
                "\(context): \(result.standardError)")
    }

    @Test func exportToAMissingFolderSaysWhichFolderIsMissing() throws {
        let (folder, db) = try Self.database()
        let target = folder.appendingPathComponent("some/missing dir/x.csv").path
        let result = try CommandRunner.run(["export", "--db", db, "--format", "csv", "-o", target])
        Self.expectPlain(result, exit: 2, saying: "no such folder: \(folder.path)/some/missing dir", "missing folder")
    }

    @Test func exportToAFolderOrBelowAFileIsRefused() throws {
        let (folder, db) = try Self.database()
        let intoFolder = try CommandRunner.run(["export", "--db", db, "--format", "csv", "-o", folder.path])
        Self.expectPlain(intoFolder, exit: 2, saying: "\(folder.path): is a folder; give a file name", "a folder")
        let belowFile = try CommandRunner.run(["export", "--db", db, "--format", "csv", "-o", db + "/x.csv"])
        Self.expectPlain(belowFile, exit: 2, saying: "\(db) is a file, not a folder", "below a file")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run as an unprivileged user"))
    func exportWhereTheUserMayNotWriteNamesThePlace() throws {
        let (folder, db) = try Self.database()
        chmod(folder.path, 0o755)
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let newFile = try CommandRunner.run(
            ["export", "--db", db, "--format", "csv", "-o", folder.appendingPathComponent("x.csv").path], prefix: nobody)
        Self.expectPlain(newFile, exit: 2, saying: "cannot create a file in \(folder.path): permission denied", "new file")
        let existing = folder.appendingPathComponent("old.csv")
        try Data("old\n".utf8).write(to: existing)
        let overwrite = try CommandRunner.run(["export", "--db", db, "--format", "csv", "-o", existing.path], prefix: nobody)
        Self.expectPlain(overwrite, exit: 2, saying: "\(existing.path): permission denied", "existing file")
        #expect(try String(contentsOf: existing, encoding: .utf8) == "old\n")
    }

    @Test func exportWritesTheFileWhenThePathIsGood() throws {
        let (folder, db) = try Self.database()
        let target = folder.appendingPathComponent("x.csv")
        let result = try CommandRunner.run(["export", "--db", db, "--format", "csv", "-o", target.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("run_id,run_tag,cell_key"))
    }

    @Test func mergeIntoAMissingFolderIsTheUsersMistake() throws {
        let (folder, db) = try Self.database()
        let result = try CommandRunner.run(["merge", db, "-o", folder.appendingPathComponent("nowhere/m.sqlite").path])
        Self.expectPlain(result, exit: 2, saying: "the folder \(folder.path)/nowhere does not exist", "merge")
    }
}
