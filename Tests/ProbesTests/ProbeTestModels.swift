import Evaluation
import Foundation
import Probes

/// Models under test built in the test, with known answers.
final class StubModel: ModelUnderTest {
    let identity = ModelIdentity(name: "stub", fingerprint: "0")
    let embedder: (any TextEmbedder)?
    let classifier: (any TextClassifier)?
    let maskedLanguageModel: (any MaskedLanguageModel)?

    init(embedder: (any TextEmbedder)? = nil, classifier: (any TextClassifier)? = nil,
         maskedLanguageModel: (any MaskedLanguageModel)? = nil) {
        self.embedder = embedder
        self.classifier = classifier
        self.maskedLanguageModel = maskedLanguageModel
    }
}

/// Looks each text's vector up in a table.
final class TableEmbedder: TextEmbedder {
    let vectors: [String: [Float]]
    init(_ vectors: [String: [Float]]) { self.vectors = vectors }
    func embed(_ inputs: [TextInput]) throws -> [[Float]] { inputs.map { vectors[$0.text] ?? [0, 0] } }
}

/// Class probabilities from a function of the text.
final class RuleClassifier: TextClassifier {
    let labelNames: [String]
    let rule: (String) -> [Double]
    private(set) var calls = 0
    init(labelNames: [String], rule: @escaping (String) -> [Double]) {
        self.labelNames = labelNames
        self.rule = rule
    }
    func probabilities(_ inputs: [TextInput]) throws -> [[Double]] {
        calls += 1
        return inputs.map { rule($0.text) }
    }
}

enum ProbeFixtures {
    /// A temporary file with `text`.
    static func file(_ text: String, name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapteval-probes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
