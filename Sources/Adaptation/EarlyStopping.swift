/// Stops training when the monitored validation value has not improved by more than
/// `minimumDelta` for `patience` consecutive evaluations, remembering the best one.
public struct EarlyStopping: Sendable {
    public let monitor: MonitoredMetric
    public let patience: Int
    public let minimumDelta: Double
    public private(set) var bestValue: Double?
    public private(set) var bestEvaluation: Int?
    public private(set) var evaluationsWithoutImprovement = 0

    public init(monitor: MonitoredMetric, patience: Int, minimumDelta: Double) {
        self.monitor = monitor
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

    /// Records evaluation number `evaluation`; returns whether it is the new best.
    public mutating func record(_ value: Double, evaluation: Int) -> Bool {
        let improved: Bool
        if let best = bestValue {
            improved = monitor.lowerIsBetter ? value < best - minimumDelta : value > best + minimumDelta
        } else {
            improved = value.isFinite
        }
        if improved {
            bestValue = value
            bestEvaluation = evaluation
            evaluationsWithoutImprovement = 0
        } else {
            evaluationsWithoutImprovement += 1
        }
        return improved
    }

    /// Whether patience is exhausted.
    public var shouldStop: Bool { evaluationsWithoutImprovement >= patience }
}
