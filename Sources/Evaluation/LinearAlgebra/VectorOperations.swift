/// Inner loops over contiguous Doubles on 8-lane SIMD vectors.
///
/// The compiler does not vectorise floating-point reductions on its own (it may not reorder the
/// additions), so the dot product keeps explicit lane accumulators; the lane order makes the
/// result differ from a left-to-right sum by rounding only.
enum VectorOperations {
    typealias Vector = SIMD8<Double>

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Double>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        var first = Vector()
        var second = Vector()
        var index = 0
        while index + 16 <= count {
            first += load(a + index) * load(b + index)
            second += load(a + index + 8) * load(b + index + 8)
            index += 16
        }
        if index + 8 <= count {
            first += load(a + index) * load(b + index)
            index += 8
        }
        var sum = (first + second).sum()
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }

    /// Σ (a[i] − b[i])².
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        var accumulator = Vector()
        var index = 0
        while index + 8 <= count {
            let difference = load(a + index) - load(b + index)
            accumulator += difference * difference
            index += 8
        }
        var sum = accumulator.sum()
        while index < count {
            let difference = a[index] - b[index]
            sum += difference * difference
            index += 1
        }
        return sum
    }

    /// y[i] += alpha·x[i].
    @inline(__always)
    static func addScaled(_ alpha: Double, _ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Double>, count: Int) {
        var index = 0
        while index + 8 <= count {
            store(load(y + index) + alpha * load(x + index), y + index)
            index += 8
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }

    /// y[i] += Σₖ alphas.k · xs.k[i]: four scaled additions in one pass over y.
    @inline(__always)
    static func addScaled4(
        _ alphas: (Double, Double, Double, Double),
        _ xs: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        to y: UnsafeMutablePointer<Double>, count: Int
    ) {
        var index = 0
        while index + 8 <= count {
            var sum = load(y + index)
            sum += alphas.0 * load(xs.0 + index)
            sum += alphas.1 * load(xs.1 + index)
            sum += alphas.2 * load(xs.2 + index)
            sum += alphas.3 * load(xs.3 + index)
            store(sum, y + index)
            index += 8
        }
        while index < count {
            y[index] += alphas.0 * xs.0[index] + alphas.1 * xs.1[index] + alphas.2 * xs.2[index] + alphas.3 * xs.3[index]
            index += 1
        }
    }

    /// Σ a[i]·b[i] over two arrays of equal length.
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in dot(a.baseAddress!, b.baseAddress!, count: min(a.count, b.count)) }
        }
    }
}
