import Adaptation
import Evaluation
import Foundation
import Transformers
import Yams

/// Reads, validates and resolves suite files.
///
/// Validation is strict and complete: every problem in a file (YAML syntax, unknown keys,
/// wrong types, missing files or columns, empty splits, test labels never seen in training,
/// options a strategy does not take) is collected with its line and column, and reported
/// together as `SuiteError.invalidSuite`.
public struct SuiteLoader {
    /// Variables `${VAR}` expands from.
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads the suite at `path` (relative paths inside it are relative to its folder).
    public func load(path: String) throws -> Suite {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw SuiteError.invalidSuite(path: path, problems: [
                SuiteProblem(line: nil, column: nil, field: "", message: "no such file")
            ])
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw SuiteError.invalidSuite(path: path, problems: [
                SuiteProblem(line: nil, column: nil, field: "", message: "not valid UTF-8; save the suite as UTF-8")
            ])
        }
        let (definition, log) = try decode(text: text, path: path)
        var checker = SuiteChecker(
            definition: definition, log: log, folder: url.deletingLastPathComponent(), environment: environment)
        let resolved = checker.check()
        guard log.problems.isEmpty, let resolved else {
            throw SuiteError.invalidSuite(path: path, problems: log.problems)
        }
        return Suite(
            path: url.path, fileSHA256: SHA256.hex(of: bytes), definition: definition, model: resolved.model,
            tasks: resolved.tasks, chains: resolved.chains, remoteProbes: resolved.remoteProbes, probes: resolved.probes)
    }

    /// Parses YAML text and decodes the definition, collecting problems instead of stopping.
    func decode(text: String, path: String) throws -> (SuiteDefinition, DecodingLog) {
        let log = DecodingLog(environment: environment)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SuiteError.invalidSuite(path: path, problems: [Self.problem(from: error)])
        }
        guard let node else {
            throw SuiteError.invalidSuite(path: path, problems: [
                SuiteProblem(line: nil, column: nil, field: "", message: "the file is empty; see docs/suite-format.md")
            ])
        }
        let definition = try YAMLNodeDecoder(node: node, codingPath: [], log: log).decodeValue(SuiteDefinition.self)
        return (definition, log)
    }

    static func problem(from error: YamlError) -> SuiteProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return SuiteProblem(line: mark.line, column: mark.column, field: "", message: "YAML syntax: \(detail)\(problem)")
        default:
            return SuiteProblem(line: nil, column: nil, field: "", message: "YAML: \(error)")
        }
    }
}
