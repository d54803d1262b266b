extension ReportContent {
    /// Strategies (rows) against tasks or metrics (columns), each cell an estimate over seeds.
    public struct ScoreTable: Sendable, Equatable {
        /// One adapted model: a strategy reached through a chain of tasks.
        public struct Row: Sendable, Equatable {
            /// The strategy as users name it, e.g. "LoRA r=8".
            public var strategy: String
            /// The chain of tasks it was trained on, e.g. "SST-2 → kitchen".
            public var chain: String
            /// One entry per column; nil where the cell has no score (yet).
            public var scores: [Estimate?]

            public init(strategy: String, chain: String, scores: [Estimate?]) {
                self.strategy = strategy
                self.chain = chain
                self.scores = scores
            }
        }

        /// What the numbers are, e.g. "Test accuracy, mean over seeds with 95% bootstrap interval".
        public var caption: String
        /// Task or metric names, one per column.
        public var columns: [String]
        public var rows: [Row]

        public init(caption: String = "", columns: [String] = [], rows: [Row] = []) {
            self.caption = caption
            self.columns = columns
            self.rows = rows
        }
    }

    /// Trainable parameters against score: what each strategy costs for what it achieves.
    public struct ParameterEfficiency: Sendable, Equatable {
        public struct Entry: Sendable, Equatable {
            public var label: String
            public var trainableParameters: Int
            public var score: Estimate
            public var trainingMinutes: Double?

            public init(label: String, trainableParameters: Int, score: Estimate, trainingMinutes: Double? = nil) {
                self.label = label
                self.trainableParameters = trainableParameters
                self.score = score
                self.trainingMinutes = trainingMinutes
            }
        }

        /// The score's name with its task, e.g. "test accuracy on kitchen"; titles the y axis.
        public var metric: String
        public var entries: [Entry]

        public init(metric: String = "score", entries: [Entry] = []) {
            self.metric = metric
            self.entries = entries
        }
    }
}
