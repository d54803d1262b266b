import Foundation

/// A SEAT/WEAT test file in May et al.'s JSON layout, written for a test.
public enum SEATTestFile {
    /// Writes `<name>.jsonl` into `folder` with two target and two attribute sets.
    @discardableResult
    public static func write(
        in folder: URL, name: String, targets: (first: [String], second: [String]), attributes: (first: [String], second: [String])
    ) throws -> URL {
        let test: [String: Any] = [
            "targ1": ["category": "Target1", "examples": targets.first],
            "targ2": ["category": "Target2", "examples": targets.second],
            "attr1": ["category": "Attribute1", "examples": attributes.first],
            "attr2": ["category": "Attribute2", "examples": attributes.second],
        ]
        let file = folder.appendingPathComponent("\(name).jsonl")
        try JSONSerialization.data(withJSONObject: test).write(to: file)
        return file
    }
}
