import Adaptation
import Foundation

/// Shows a run's progress on standard error: one redrawn status line on a terminal (cells
/// done/total, current stage, epoch and step, ETA), plain lines otherwise (one per cell, for
/// CI logs). Colour only on a terminal and without `NO_COLOR`.
public final class RunProgressDisplay: RunObserver {
    private let interactive: Bool
    private let colour: Bool
    private let write: (String) -> Void
    private var started = Date()
    private var cellStarted = Date()
    private var computedSeconds: [Double] = []
    private var remainingToCompute = 0
    private var lastDrawn = Date.distantPast
    private var cached = 0

    /// - Parameter interactive: nil decides from whether standard error is a terminal.
    public init(interactive: Bool? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                write: ((String) -> Void)? = nil) {
        let terminal = interactive ?? (isatty(STDERR_FILENO) != 0)
        self.interactive = terminal
        self.colour = terminal && environment["NO_COLOR"] == nil
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    public func runStarted(runID: Int64, cells: Int, cached: Int) {
        started = Date()
        self.cached = cached
        remainingToCompute = cells - cached
        write("run \(runID): \(cells) cell(s), \(cached) already in the database, \(cells - cached) to compute\n")
    }

    public func cellStarted(_ cell: PlannedCell, number: Int, of total: Int) {
        cellStarted = Date()
        if interactive { draw(cell, number: number, total: total, detail: "starting", force: true) }
    }

    public func cellProgress(_ cell: PlannedCell, stage: Int, stages: Int, progress: TrainingProgress) {
        guard interactive else { return }
        let stageText = stages > 1 ? "stage \(stage + 1)/\(stages) " : ""
        let detail = String(format: "%@epoch %d/%d step %d/%d loss %.4f", stageText, progress.epoch, progress.epochs,
                            progress.step, progress.totalSteps, progress.loss)
        let fraction = (Double(stage) + Double(progress.step) / Double(max(progress.totalSteps, 1))) / Double(stages)
        draw(cell, number: nil, total: nil, detail: detail, force: false, cellFraction: fraction)
    }

    public func cellFinished(_ cell: PlannedCell, number: Int, of total: Int, outcome: CellOutcome) {
        let text: String
        switch outcome {
        case .reused:
            text = "reused"
        case .computed(let seconds, let accuracy):
            computedSeconds.append(seconds)
            remainingToCompute -= 1
            text = String(format: "finished in %.1f s", seconds) + (accuracy.map { String(format: ", test accuracy %.4f", $0) } ?? "")
        case .failed(let reason):
            remainingToCompute -= 1
            text = paint("FAILED", code: "31") + ": \(reason)"
        case .skipped(let reason):
            remainingToCompute -= 1
            text = "skipped: \(reason)"
        }
        if interactive { write("\r\u{1B}[2K") }
        write("[\(number)/\(total)] \(describe(cell)): \(text)\n")
    }

    private var currentNumber = 0
    private var currentTotal = 0

    private func draw(_ cell: PlannedCell, number: Int?, total: Int?, detail: String, force: Bool, cellFraction: Double = 0) {
        if let number, let total {
            currentNumber = number
            currentTotal = total
        }
        let now = Date()
        guard force || now.timeIntervalSince(lastDrawn) > 0.2 else { return }
        lastDrawn = now
        write("\r\u{1B}[2K[\(currentNumber)/\(currentTotal)] \(describe(cell)) · \(detail)\(eta(cellFraction: cellFraction))")
    }

    /// Remaining time: the mean computed cell's time for each cell still to compute, less the
    /// current cell's progress.
    private func eta(cellFraction: Double) -> String {
        let elapsedInCell = Date().timeIntervalSince(cellStarted)
        let perCell: Double
        if computedSeconds.isEmpty {
            guard cellFraction > 0.02 else { return "" }
            perCell = elapsedInCell / cellFraction
        } else {
            perCell = computedSeconds.reduce(0, +) / Double(computedSeconds.count)
        }
        let remaining = max(0, perCell * Double(max(remainingToCompute, 1)) - elapsedInCell)
        return " · ETA " + Self.duration(remaining)
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }

    private func describe(_ cell: PlannedCell) -> String {
        "\(cell.strategy.displayName) seed \(cell.seed) \(cell.chainDescription)"
    }

    private func paint(_ text: String, code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
