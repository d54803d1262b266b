import Foundation

/// Where tests find the shared benchmark data, the reference outputs and the default model.
///
/// `../shared` beside the repository, or `$ADAPTEVAL_SHARED`; the model under `models/` or
/// `$ADAPTEVAL_MODEL`. Tests that need them are skipped, with the path in the reason, when
/// they are absent; in CI they are present and run.
public enum TestPaths {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder searched for shared data.
    public static var sharedCandidate: URL {
        if let override = ProcessInfo.processInfo.environment["ADAPTEVAL_SHARED"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// `shared/`, when it exists.
    public static var shared: URL? {
        FileManager.default.fileExists(atPath: sharedCandidate.appendingPathComponent("reference").path)
            ? sharedCandidate : nil
    }

    /// The reference outputs folder, when it exists.
    public static var reference: URL? { shared?.appendingPathComponent("reference") }

    /// The folder searched for the default model.
    public static var modelCandidate: URL {
        if let override = ProcessInfo.processInfo.environment["ADAPTEVAL_MODEL"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2")
    }

    /// The default model folder, when its weights are present.
    public static var model: URL? {
        FileManager.default.fileExists(atPath: modelCandidate.appendingPathComponent("model.safetensors").path)
            ? modelCandidate : nil
    }

    public static var referenceAndModelAvailable: Bool { reference != nil && model != nil }

    public static var skipReason: String {
        "needs \(sharedCandidate.path)/reference and \(modelCandidate.path) (run `make setup`; set "
            + "ADAPTEVAL_SHARED or ADAPTEVAL_MODEL to look elsewhere)"
    }

    /// A new empty temporary folder.
    public static func temporaryDirectory(_ label: String = "adapteval-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Reads a JSON Lines file into objects.
    public static func readJSONLines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}
