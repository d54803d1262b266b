import Foundation
import TestSupport
import Testing
import Yams

/// docs/ci/*.yml are the CI recipes docs/ci.md shows: they must stay valid YAML and name only
/// subcommands and options this `adapteval` has.
@Suite struct CIRecipeTests {
    /// Every string value in a YAML document (scripts are lists of strings or block scalars).
    static func strings(_ value: Any) -> [String] {
        switch value {
        case let text as String: [text]
        case let list as [Any]: list.flatMap(strings)
        case let mapping as [AnyHashable: Any]: mapping.values.flatMap(strings)
        default: []
        }
    }

    /// The `adapteval` invocations in a command text: subcommand words, then the options used.
    static func invocations(_ text: String) -> [(subcommand: [String], options: [String])] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        var found: [(subcommand: [String], options: [String])] = []
        for (index, word) in words.enumerated() where word.hasSuffix("release/adapteval") {
            var subcommand: [String] = []
            var options: [String] = []
            for next in words[(index + 1)...] {
                if next == "&&" || next == ";" || next == "|" || next.hasSuffix("release/adapteval") { break }
                if next.hasPrefix("-") {
                    options.append(String(next.split(separator: "=")[0]))
                } else if options.isEmpty, subcommand.count < 2, next.allSatisfy({ $0.isLetter || $0 == "-" }), !next.contains(".") {
                    subcommand.append(next)
                }
            }
            found.append((subcommand, options))
        }
        return found
    }

    @Test("the GitHub and GitLab recipes parse as YAML and use only subcommands and options adapteval has",
          arguments: ["github.yml", "gitlab.yml"])
    func recipesUseRealCommands(file: String) throws {
        let url = TestPaths.repositoryRoot.appendingPathComponent("docs/ci").appendingPathComponent(file)
        let document = try #require(try Yams.load(yaml: try String(contentsOf: url, encoding: .utf8)))
        let calls = Self.strings(document).flatMap(Self.invocations)
        let used = Set(calls.map { $0.subcommand.first ?? "" })
        #expect(used.isSuperset(of: ["run", "merge", "gate", "report"]), "\(file) uses \(used.sorted())")
        let help = try CommandRunner.run(["--help"]).standardOutput
        for call in calls {
            let name = try #require(call.subcommand.first)
            #expect(help.contains("  \(name) "), "\(file): `adapteval \(name)` is not in adapteval --help")
            // `run SUITE` takes a path after the name, so only known nested commands keep their second word.
            let words = name == "runs" ? call.subcommand : [name]
            let subHelp = try CommandRunner.run(words + ["--help"])
            #expect(subHelp.status == 0)
            for option in call.options {
                #expect(subHelp.standardOutput.contains(option), "\(file): adapteval \(words.joined(separator: " ")) has no \(option)")
            }
        }
    }
}
