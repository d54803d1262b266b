import Dispatch
import Evaluation
import Foundation
import ResultStore
import TestSupport
import Testing

/// Ctrl-C and SIGTERM against real `adapteval run` children: the first signal stops at the next
/// safe point and exits 130 through the normal path, a second one exits at once; either way the
/// run is marked interrupted and the next run resumes without losing or duplicating a cell.
@Suite(.serialized) struct InterruptTests {
    /// Ten cells of a model wide enough (hidden 256, feed-forward 512) and texts long enough
    /// (32 tokens, 32 per batch) that half of the process's CPU time is inside OpenBLAS's sgemm
    /// (`perf record`: 50%), where the old handler's `exit` crashed; cells are short enough
    /// that some finish between interrupts, so the run advances from child to child.
    static func blasHeavySuite(batchSize: Int = 32, strategies: [String] = ["full", "bitfit", "linear-probe"],
                               seeds: [Int] = [1, 2], epochs: Int = 1) throws -> TinySuite {
        let yaml = TinySuite.yaml(strategies: strategies, seeds: seeds, epochs: epochs)
            .replacingOccurrences(of: "batch_size: 8, max_length: 16", with: "batch_size: \(batchSize), max_length: 32")
        let fixture = try TinySuite.make(yaml: yaml, examplesPerDomain: 200, hidden: 256, layers: 2)
        for (domain, seed) in [("food", UInt64(1)), ("movies", UInt64(2))] {
            try longExamples(domain: domain, count: 200, seed: seed).joined(separator: "\n")
                .write(to: fixture.path("data/\(domain).jsonl"), atomically: true, encoding: .utf8)
        }
        return fixture
    }

    /// Labelled texts of 30 words from the tiny vocabulary, led by the label's word.
    static func longExamples(domain: String, count: Int, seed: UInt64) -> [String] {
        let words = ["the", "a", "movie", "food", "was", "very", "is", "not", "dog", "cat", "sun", ",", "!", "hello", "world"]
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let label = index % 2 == 0 ? "positive" : "negative"
            let lead = label == "positive" ? ["good", "great"] : ["bad", "awful"]
            let text = (0..<30).map { position in
                position % 7 == 0 ? lead[Int(generator.next() % 2)] : words[Int(generator.next() % UInt64(words.count))]
            }.joined(separator: " ")
            return #"{"id": "\#(domain)-\#(index)", "text": "\#(text)", "label": "\#(label)"}"#
        }
    }

    /// Run ids and statuses, or none when the database does not exist yet.
    static func runStatuses(_ path: String) throws -> [Int64: RunRecord.Status] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let database = try ResultDatabase(path: path, readOnly: true)
        return Dictionary(uniqueKeysWithValues: try database.runSummaries().map { ($0.run.id ?? 0, $0.run.status) })
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    @Test(.timeLimit(.minutes(5)))
    func signalsAtRandomMomentsExit130WithoutACrashAndTheRunResumesCleanly() throws {
        let fixture = try Self.blasHeavySuite()
        let db = fixture.path("results.sqlite").path
        var random = SplitMix64(seed: 2026_12_01)
        var secondsToExit: [Double] = []
        var finishedEarly = false
        for attempt in 0..<30 {
            let before = try Self.runStatuses(db)
            let child = try ChildProcess(["run", fixture.suite.path, "--db", db])
            let delay = 0.15 + Double(random.next() % 2_000) / 1_000
            if child.waitForExit(timeout: delay) != nil {
                #expect(child.status == 0, "attempt \(attempt) exited \(child.status) before the signal: \(child.standardError)")
                finishedEarly = true
                break
            }
            let signalNumber = random.next() % 2 == 0 ? SIGINT : SIGTERM
            let sent = child.send(signalNumber)
            guard let exited = child.waitForExit(timeout: 30) else {
                child.kill()
                Issue.record("attempt \(attempt): no exit within 30 s of signal \(signalNumber):\n\(child.standardError)")
                continue
            }
            let after = try Self.runStatuses(db)
            let crash = crashMarkers.filter { child.standardError.contains($0) }
            #expect(crash.isEmpty, "attempt \(attempt), signal \(signalNumber) after \(delay) s: \(child.standardError)")
            if child.status == 0 {
                // The signal came after the last cell: the run finished and says so.
                #expect(after.values.contains(.finished), "attempt \(attempt): exit 0 without a finished run")
                finishedEarly = true
                break
            }
            secondsToExit.append((Double(exited.uptimeNanoseconds) - Double(sent.uptimeNanoseconds)) / 1e9)
            #expect(child.status == 130, "attempt \(attempt), signal \(signalNumber) after \(delay) s: exit \(child.status)\n\(child.standardError)")
            let new = after.filter { before[$0.key] == nil }
            #expect(new.count <= 1 && new.values.allSatisfy { $0 == .interrupted },
                    "attempt \(attempt): the new run is \(new), not interrupted")
            #expect(!after.values.contains(.running), "attempt \(attempt): a run is left running: \(after)")
        }
        let interrupts = secondsToExit.count
        print("interrupts: \(interrupts); signal to exit: median \(Self.median(secondsToExit)) s, max \(secondsToExit.max() ?? .nan) s")
        #expect(interrupts >= 20 || finishedEarly, "only \(interrupts) interrupts landed")
        #expect(Self.median(secondsToExit) < 2, "signal to exit: \(secondsToExit)")

        let resumed = try CommandRunner.run(["run", fixture.suite.path, "--db", db, "--json"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let database = try ResultDatabase(path: db, readOnly: true)
        #expect(try database.tableCounts()["cells"] == 10)
        let runs = try database.runSummaries()
        #expect(runs.first?.run.status == .finished)
        let last = try database.cells(ofRun: try #require(runs.first?.run.id))
        #expect(last.count == 10 && last.allSatisfy { $0.cell.status == .finished })
        // Each cell was computed once: one run holds it as computed, every later one as reused,
        // and its epochs were written once.
        var computedBy: [String: Int] = [:]
        for run in runs {
            for detail in try database.cells(ofRun: try #require(run.run.id)) where !detail.reused {
                computedBy[detail.cell.key, default: 0] += 1
            }
        }
        #expect(computedBy.count == 10 && computedBy.values.allSatisfy { $0 == 1 }, "\(computedBy)")
        for detail in last {
            let epochs = detail.epochs.map { "\($0.stage)/\($0.epoch)/\($0.step)" }
            #expect(epochs.count == Set(epochs).count, "cell \(detail.cell.key) has duplicate epochs \(epochs)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aSecondSignalStopsAtOnceAndStillMarksTheRun() throws {
        // One step of 240 examples takes a while, so the first signal's safe point is far away.
        let fixture = try Self.blasHeavySuite(batchSize: 256, strategies: ["full"], seeds: [1], epochs: 3)
        let db = fixture.path("results.sqlite").path
        let child = try ChildProcess(["run", fixture.suite.path, "--db", db])
        let running = try waitForDatabase(db, timeout: 60) { database in
            try database.runSummaries().first.map { $0.linkedCells >= 1 } ?? false
        }
        #expect(running)
        Thread.sleep(forTimeInterval: 0.3)
        // Back to back: evaluation batches are safe points too, so a pause between the two
        // signals could let the first one end the run before the second arrives.
        child.send(SIGINT)
        let second = child.send(SIGTERM)
        guard let exited = child.waitForExit(timeout: 30) else {
            child.kill()
            Issue.record("no exit within 30 s of the second signal")
            return
        }
        // Signed: a child that exited on the first signal may be reaped before the second was sent.
        let seconds = (Double(exited.uptimeNanoseconds) - Double(second.uptimeNanoseconds)) / 1e9
        print("second signal to exit: \(seconds) s")
        #expect(child.status == 130, "\(child.standardError)")
        #expect(child.standardError.contains("stopping at the next safe point"), "\(child.standardError)")
        #expect(child.standardError.contains("stopping at once"), "\(child.standardError)")
        #expect(crashMarkers.allSatisfy { !child.standardError.contains($0) }, "\(child.standardError)")
        #expect(seconds < 1, "the second signal took \(seconds) s to stop the process")
        #expect(try Self.runStatuses(db).values.map { $0 } == [.interrupted])
    }
}
