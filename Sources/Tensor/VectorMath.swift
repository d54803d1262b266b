/// Vectorised transcendental functions on 16 lanes, used by the elementwise kernels.
///
/// libm's scalar `expf` and `erff` dominate a transformer forward pass on a CPU (GELU over one
/// MiniLM forward took longer than PyTorch's whole forward), so these evaluate polynomials on
/// SIMD vectors instead. Accuracy is documented per function and checked against libm in tests.
public enum VectorMath {
    public typealias Vector = SIMD16<Float>

    /// e^x, relative error below 2e-7 for x in [-87.3, 88.3]; 0 below -87.3, clamped above 88.3.
    ///
    /// Range reduction x = n·ln 2 + r with |r| ≤ ln2/2 and the Cephes `expf` minimax
    /// polynomial for e^r; 2^n is built in the exponent bits.
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        var clamped = x
        clamped.replace(with: -87.3, where: x .< -87.3)
        clamped.replace(with: 88.3, where: x .> 88.3)
        // Adding 1.5·2²³ rounds to the nearest integer in the low mantissa bits, which avoids
        // the generic (scalar) Float→Int SIMD conversion and rint calls.
        let magic = Vector(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        // ln 2 split in two so that n·ln2High is exact in Float.
        var r = clamped - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let polynomial = r * r * p + r + 1
        let integer =
            unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Vector.self)
        var result = polynomial * scale
        result.replace(with: 0, where: x .< -87.3)
        return result
    }

    /// The complementary error function erfc(z) for z ≥ 0, fractional error below 1.2e-7.
    ///
    /// The Chebyshev-fitted form t·exp(−z² + P(t)), t = 1/(1 + z/2), from Press et al.,
    /// Numerical Recipes (2nd ed., §6.2, `erfcc`).
    @inline(__always)
    public static func erfcNonNegative(_ z: Vector) -> Vector {
        let t = 1 / (1 + 0.5 * z)
        var p: Vector = Vector(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        return t * exp(p - z * z)
    }

    /// The error function, absolute error below 4e-7 in Float (6.5e-8 in exact arithmetic).
    ///
    /// A minimax rational approximation erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4] (P of degree 6, Q of
    /// degree 4; the form Eigen and XNNPACK use), with |erf(±4) ∓ 1| < 2e-8 beyond. No exp, so it
    /// is about twice as fast as the erfc form, which the backward pass keeps for its tails.
    @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        var clamped = x
        clamped.replace(with: -4, where: x .< -4)
        clamped.replace(with: 4, where: x .> 4)
        let x2 = clamped * clamped
        var p = Vector(repeating: -2.726_142_258_013_06e-10)
        p = p * x2 + 2.770_681_424_959_02e-08
        p = p * x2 - 2.101_024_020_825_08e-06
        p = p * x2 - 5.692_506_394_623_46e-05
        p = p * x2 - 7.349_906_303_268_55e-04
        p = p * x2 - 2.954_599_808_540_25e-03
        p = p * x2 - 1.609_603_332_624_15e-02
        var q = Vector(repeating: -1.456_607_184_649_96e-05)
        q = q * x2 - 2.133_740_552_789_05e-04
        q = q * x2 - 1.682_826_974_382_03e-03
        q = q * x2 - 7.373_329_167_204_68e-03
        q = q * x2 - 1.426_473_905_141_89e-02
        return clamped * p / q
    }

    /// The exact (erf-based) GELU, x·Φ(x) = ½·x·(1 + erf(x/√2)), on 16 lanes, computed as
    /// PyTorch's `gelu(approximate="none")` does.
    @inline(__always)
    public static func gelu(_ x: Vector) -> Vector {
        0.5 * x * (1 + erf(x * 0.707_106_781_186_547_5))
    }

    /// dGELU/dx = Φ(x) + x·φ(x), used by the backward pass.
    @inline(__always)
    public static func geluDerivative(_ x: Vector) -> Vector {
        let z = magnitude(x) * 0.707_106_781_186_547_5
        let tail = erfcNonNegative(z)
        var cdf = 0.5 * tail
        cdf.replace(with: 1 - 0.5 * tail, where: x .>= 0)
        let density = exp(-0.5 * x * x) * 0.398_942_280_401_432_7
        return cdf + x * density
    }

    /// |x| lane by lane, by clearing the sign bits.
    @inline(__always)
    public static func magnitude(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7fff_ffff, to: Vector.self)
    }

    /// The largest lane. The standard library's `max()` and `pointwiseMax` are generic calls
    /// that do not inline into these loops.
    @inline(__always)
    public static func maximum(_ v: Vector) -> Float {
        var eight = v.lowHalf
        eight.replace(with: v.highHalf, where: v.highHalf .> eight)
        var four = eight.lowHalf
        four.replace(with: eight.highHalf, where: eight.highHalf .> four)
        var two = four.lowHalf
        two.replace(with: four.highHalf, where: four.highHalf .> two)
        return Swift.max(two[0], two[1])
    }

    /// Lane-wise maximum of two vectors.
    @inline(__always)
    public static func maximum(_ a: Vector, _ b: Vector) -> Vector {
        var result = a
        result.replace(with: b, where: b .> a)
        return result
    }

    /// The sum of all lanes, added pairwise.
    @inline(__always)
    public static func sum(_ v: Vector) -> Float {
        let eight = v.lowHalf + v.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    /// Applies a 16-lane function to `count` floats in place; the tail is padded with zeros.
    @inline(__always)
    static func map(
        _ values: UnsafeMutablePointer<Float>, count: Int, _ function: (Vector) -> Vector
    ) {
        var index = 0
        while index + 16 <= count {
            store(function(load(values + index)), values + index)
            index += 16
        }
        if index < count {
            var tail = Vector(repeating: 0)
            for lane in 0..<(count - index) { tail[lane] = values[index + lane] }
            let mapped = function(tail)
            for lane in 0..<(count - index) { values[index + lane] = mapped[lane] }
        }
    }
}
