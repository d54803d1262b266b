import Foundation

/// A numeric chart axis: its title (with unit), its domain, its ticks and where a value lands.
///
/// Linear axes take "nice" ticks at 1, 2 or 5 × 10ᵏ and widen the domain to whole steps
/// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990). Logarithmic axes tick at
/// decades, adding 2 and 5 within each decade when the data span at most two decades.
struct ChartAxis {
    var title: String
    var domain: ClosedRange<Double>
    var ticks: [Double]
    var isLogarithmic: Bool
    /// The distance between linear ticks, which decides how many decimals the labels need.
    var step: Double

    /// Where `value` lands between `start` and `end` (pixels; `end` may be less than `start`).
    func position(_ value: Double, from start: Double, to end: Double) -> Double {
        let transform: (Double) -> Double = isLogarithmic ? { log10($0) } : { $0 }
        let low = transform(domain.lowerBound)
        let high = transform(domain.upperBound)
        guard high > low else { return (start + end) / 2 }
        let fraction = (transform(isLogarithmic ? max(value, domain.lowerBound) : value) - low) / (high - low)
        return start + fraction * (end - start)
    }

    /// The label of a tick.
    func label(_ tick: Double, _ format: NumberFormatting = .typeset) -> String {
        isLogarithmic ? format.compactCount(tick) : format.tick(tick, step: step)
    }

    /// A linear axis over the finite `values` (and `including`, e.g. 0 for differences),
    /// with about `tickCount` ticks.
    static func linear(title: String, covering values: [Double], including: [Double] = [], tickCount: Int = 5)
        -> ChartAxis
    {
        let finite = (values + including).filter(\.isFinite)
        var low = finite.min() ?? 0
        var high = finite.max() ?? 1
        if high - low < 1e-12 {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        let step = niceNumber((niceNumber(high - low, rounding: false)) / Double(max(tickCount - 1, 1)), rounding: true)
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        return ChartAxis(title: title, domain: first * step...last * step, ticks: ticks, isLogarithmic: false, step: step)
    }

    /// A base-10 logarithmic axis over the positive finite `values`.
    static func logarithmic(title: String, covering values: [Double]) -> ChartAxis {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        let low = (log10(positive.min() ?? 1)).rounded(.down)
        var high = (log10(positive.max() ?? 10)).rounded(.up)
        if high <= low { high = low + 1 }
        var ticks: [Double] = []
        for exponent in stride(from: low, through: high, by: 1) {
            let decade = pow(10, exponent)
            ticks.append(decade)
            if high - low <= 2 && exponent < high { ticks += [2 * decade, 5 * decade] }
        }
        return ChartAxis(
            title: title, domain: pow(10, low)...pow(10, high), ticks: ticks, isLogarithmic: true, step: 0)
    }

    /// The 1, 2, 5 or 10 × 10ᵏ nearest `value` (rounding) or at least `value` (not rounding),
    /// Heckbert's `nicenum`.
    static func niceNumber(_ value: Double, rounding: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let exponent = log10(value).rounded(.down)
        let fraction = value / pow(10, exponent)
        let nice: Double
        if rounding {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }
}
