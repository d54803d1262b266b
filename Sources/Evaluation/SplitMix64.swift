/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, seedable generator, so splits and
/// bootstrap resamples repeat exactly for a seed on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound by modulo (bias below 2⁻⁴⁰ for the sizes used here).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Shuffles `elements` in place by Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P)
    /// with `below`, so a seed gives the same order on every platform and Swift version.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, below(index + 1))
        }
    }
}
