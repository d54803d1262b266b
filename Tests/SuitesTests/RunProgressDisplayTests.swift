import Adaptation
import Foundation
import Suites
import TestSupport
import Testing

@Suite struct RunProgressDisplayTests {
    func cells() throws -> [PlannedCell] {
        let fixture = try TinySuite.make()
        return try Plan(suite: try SuiteLoader(environment: [:]).load(path: fixture.suite.path)).cells
    }

    @Test func withoutATerminalEachCellIsOnePlainLine() throws {
        let cells = try cells()
        var written = ""
        let display = RunProgressDisplay(interactive: false, environment: [:]) { written += $0 }
        display.runStarted(runID: 7, cells: 3, cached: 1)
        display.cellStarted(cells[0], number: 1, of: 3)
        display.cellProgress(cells[0], stage: 0, stages: 1, progress: TrainingProgress(epoch: 1, epochs: 2, step: 1, totalSteps: 4, loss: 0.7))
        display.cellFinished(cells[0], number: 1, of: 3, outcome: .computed(seconds: 1.25, accuracy: 0.875))
        display.cellFinished(cells[1], number: 2, of: 3, outcome: .reused)
        display.cellFinished(cells[2], number: 3, of: 3, outcome: .failed(reason: "training diverged at step 3"))
        #expect(written == """
            run 7: 3 cell(s), 1 already in the database, 2 to compute
            [1/3] full seed 1 movies: finished in 1.2 s, test accuracy 0.8750
            [2/3] linear-probe seed 1 movies: reused
            [3/3] full seed 1 food → movies: FAILED: training diverged at step 3

            """)
    }

    @Test func onATerminalOneStatusLineIsRedrawnWithEpochStepAndETA() throws {
        let cells = try cells()
        var written = ""
        let display = RunProgressDisplay(interactive: true, environment: ["NO_COLOR": "1"]) { written += $0 }
        display.runStarted(runID: 1, cells: 4, cached: 0)
        display.cellStarted(cells[0], number: 1, of: 4)
        display.cellFinished(cells[0], number: 1, of: 4, outcome: .computed(seconds: 10, accuracy: nil))
        display.cellStarted(cells[2], number: 2, of: 4)
        #expect(written.contains("\r\u{1B}[2K[2/4] full seed 1 food → movies · starting · ETA "))
        #expect(!written.contains("\u{1B}[31m"), "no colour under NO_COLOR")
        let status = written.components(separatedBy: "\r\u{1B}[2K").last ?? ""
        // Three cells left at the 10 s the first took.
        #expect(status.hasSuffix("ETA 30s"), "\(status)")
    }
}
