import ArgumentParser
import Foundation
import ResultStore

struct RunsTagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Name a run (e.g. the release baseline) so `gate --baseline NAME` and `report --baseline NAME` find it.",
        discussion: "A tag names the newest run carrying it; tagging another run with the same name moves the name there.")

    @Argument(help: "Run id, or 'latest'.") var id: String
    @Argument(help: "The tag, e.g. release-1.2 (not a number, not 'latest').") var name: String
    @OptionGroup var database: DatabaseOption

    func validate() throws {
        guard !name.isEmpty, Int64(name) == nil, name != "latest" else {
            throw ValidationError("tag name: '\(name)' would read as a run id; choose a name with a letter in it")
        }
    }

    func run() throws {
        let store = try ResultDatabase(path: database.absolutePath)
        let runID = try RunsFormatting.resolveRunID(id, store: store)
        try store.setTag(name, runID: runID)
        print("run \(runID) tagged \(name)")
    }
}
