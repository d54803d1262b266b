extension ReportContent {
    /// One cell's training curves, measured at each validation.
    public struct LearningCurve: Sendable, Equatable {
        /// What the horizontal axis counts.
        public enum Progress: String, Sendable, Equatable {
            case epoch, step
        }

        /// One measurement: progress (epoch or optimiser step) and value.
        public struct Point: Sendable, Equatable {
            public var x: Double
            public var y: Double

            public init(_ x: Double, _ y: Double) {
                self.x = x
                self.y = y
            }
        }

        /// Names the cell, e.g. "full · SST-2 → kitchen · seed 1".
        public var title: String
        public var progress: Progress
        public var trainLoss: [Point]
        public var validationLoss: [Point]
        public var trainAccuracy: [Point]
        public var validationAccuracy: [Point]
        /// Where early stopping took the weights from (the best validation), in `progress` units.
        public var selectedAt: Double?
        /// Why training stopped, e.g. "no validation improvement for 2 epochs".
        public var stopReason: String?

        public init(
            title: String, progress: Progress = .epoch, trainLoss: [Point] = [], validationLoss: [Point] = [],
            trainAccuracy: [Point] = [], validationAccuracy: [Point] = [], selectedAt: Double? = nil,
            stopReason: String? = nil
        ) {
            self.title = title
            self.progress = progress
            self.trainLoss = trainLoss
            self.validationLoss = validationLoss
            self.trainAccuracy = trainAccuracy
            self.validationAccuracy = validationAccuracy
            self.selectedAt = selectedAt
            self.stopReason = stopReason
        }

        /// Whether there is nothing to draw.
        public var isEmpty: Bool {
            trainLoss.isEmpty && validationLoss.isEmpty && trainAccuracy.isEmpty && validationAccuracy.isEmpty
        }
    }

    /// Whether one cell overfit, as the overfitting analysis judged it from the cell's curves.
    public struct OverfittingAssessment: Sendable, Equatable {
        public var cell: String
        /// The generalisation gap the analysis reports (train score minus validation score at
        /// the selected epoch, DESIGN.md "Overfitting").
        public var generalizationGap: Double?
        public var bestEpoch: Int
        public var lastEpoch: Int
        /// Validation score at the best and at the last epoch.
        public var bestScore: Double?
        public var lastScore: Double?
        public var stopReason: String
        public var isOverfitting: Bool

        public init(
            cell: String, generalizationGap: Double?, bestEpoch: Int, lastEpoch: Int, bestScore: Double?,
            lastScore: Double?, stopReason: String, isOverfitting: Bool
        ) {
            self.cell = cell
            self.generalizationGap = generalizationGap
            self.bestEpoch = bestEpoch
            self.lastEpoch = lastEpoch
            self.bestScore = bestScore
            self.lastScore = lastScore
            self.stopReason = stopReason
            self.isOverfitting = isOverfitting
        }
    }
}
