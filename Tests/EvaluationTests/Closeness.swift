import Testing

/// Expects |actual − expected| ≤ tolerance·max(|expected|, floor): relative above `floor`,
/// absolute below it.
func expectClose(
    _ actual: Double, _ expected: Double, relative tolerance: Double, floor: Double = 1e-300,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    let scale = max(abs(expected), floor)
    let matches = actual == expected || abs(actual - expected) <= tolerance * scale
    #expect(matches, "\(actual) vs \(expected) (relative error \(abs(actual - expected) / scale)) \(comment.map { "\($0)" } ?? "")",
        sourceLocation: sourceLocation)
}

/// Expects |actual − expected| ≤ tolerance.
func expectWithin(
    _ actual: Double, _ expected: Double, _ tolerance: Double, _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(abs(actual - expected) <= tolerance, "\(actual) vs \(expected) (difference \(abs(actual - expected)), tolerance \(tolerance)) \(comment.map { "\($0)" } ?? "")",
        sourceLocation: sourceLocation)
}
