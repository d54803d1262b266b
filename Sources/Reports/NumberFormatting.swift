import Foundation

/// How every number in a report is written, so a value reads the same in tables, charts,
/// Markdown and JUnit.
///
/// Scores and differences have three decimals ("0.903", "+0.021"), intervals follow in
/// brackets ("0.903 [0.873, 0.930]"), p-values have three decimals down to "< 0.001", counts
/// are grouped by thousands. Non-finite values print as "n/a" or "∞" instead of "nan".
/// Formatting is locale-independent (POSIX `printf`).
struct NumberFormatting: Sendable {
    /// The negative sign: U+2212 in HTML, where tabular figures give it a digit's width;
    /// ASCII in Markdown and XML, which people copy and grep.
    let minusSign: String

    /// For HTML and SVG.
    static let typeset = NumberFormatting(minusSign: "\u{2212}")
    /// For Markdown, XML and logs.
    static let plain = NumberFormatting(minusSign: "-")

    /// `value` with `digits` decimals; `signed` adds "+" to positive values.
    func decimal(_ value: Double, digits: Int = 3, signed: Bool = false) -> String {
        guard value.isFinite else { return nonFinite(value) }
        let magnitude = String(format: "%.*f", digits, abs(value))
        // Rounding can turn a tiny negative into "0.000", which must not read as negative.
        let isZero = magnitude.allSatisfy { $0 == "0" || $0 == "." }
        if value < 0 && !isZero { return minusSign + magnitude }
        return signed && !isZero ? "+" + magnitude : magnitude
    }

    /// `value` with `significantDigits` significant digits but at most 6 decimals, for
    /// quantities whose scale varies (divergences, p-values of measures, losses).
    func significant(_ value: Double, significantDigits: Int = 3) -> String {
        guard value.isFinite else { return nonFinite(value) }
        guard value != 0 else { return "0" }
        return decimal(value, digits: Self.decimals(forSignificantDigits: significantDigits, of: value))
    }

    /// The decimals that show `value` with `significantDigits` significant digits (0 to 6).
    static func decimals(forSignificantDigits significantDigits: Int, of value: Double) -> Int {
        guard value.isFinite, value != 0 else { return significantDigits - 1 }
        let exponent = Int(log10(abs(value)).rounded(.down))
        return min(6, max(0, significantDigits - 1 - exponent))
    }

    /// An epoch or step: "3" when whole, else three significant digits.
    func progress(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15
            ? (value < 0 ? minusSign : "") + String(Int(abs(value))) : significant(value)
    }

    /// "0.903 [0.873, 0.930]", or "0.903" without an interval.
    func estimate(_ estimate: ReportContent.Estimate, digits: Int = 3, signed: Bool = false) -> String {
        let value = decimal(estimate.value, digits: digits, signed: signed)
        guard let interval = estimate.interval else { return value }
        return "\(value) [\(decimal(interval.low, digits: digits, signed: signed)), "
            + "\(decimal(interval.high, digits: digits, signed: signed))]"
    }

    /// "0.012", or "< 0.001" below a thousandth.
    func pValue(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        return value < 0.0005 ? "< 0.001" : decimal(value)
    }

    /// "p = 0.012" or "p < 0.001".
    func pStatement(_ value: Double) -> String {
        let text = pValue(value)
        return text.hasPrefix("<") ? "p " + text : "p = " + text
    }

    /// "22,713,216".
    func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return value < 0 ? minusSign + grouped : grouped
    }

    /// "1k", "22.7M", "1B": parameter counts on a logarithmic axis.
    func compactCount(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where abs(value) >= scale {
            return trimmed(decimal(value / scale, digits: 1)) + suffix
        }
        return trimmed(decimal(value, digits: 1))
    }

    /// A tick label for a step of `step`: as many decimals as the step needs, no more.
    func tick(_ value: Double, step: Double) -> String {
        let digits = step > 0 && step.isFinite ? max(0, -Int(log10(step).rounded(.down))) : 3
        return decimal(value, digits: min(digits, 6))
    }

    private func nonFinite(_ value: Double) -> String {
        value.isNaN ? "n/a" : (value < 0 ? minusSign + "∞" : "∞")
    }

    /// "2.0" → "2", "22.7" unchanged.
    private func trimmed(_ text: String) -> String {
        text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
