/// Inverted dropout masks (Srivastava et al. 2014): each element is kept with probability 1 − p
/// and scaled by 1/(1 − p), so expectations are unchanged and evaluation needs no rescaling.
///
/// Masks are drawn in fixed 4,096-element blocks, each from its own generator seeded by
/// (seed, block), so a mask depends only on the seed, never on the thread count.
public enum Dropout {
    public static let blockSize = 4096

    /// A mask of `count` elements for probability `p`, or nil when p is 0 (nothing to drop).
    public static func mask(count: Int, probability p: Float, seed: UInt64) -> [Float]? {
        buffer(count: count, probability: p, seed: seed)?.array
    }

    /// The same mask in a scratch buffer, without an intermediate array.
    ///
    /// Each 64-bit random number gives four 16-bit uniforms, so p is resolved to 1/65,536.
    public static func buffer(count: Int, probability p: Float, seed: UInt64) -> ScratchBuffer? {
        guard p > 0, count > 0 else { return nil }
        let keep = 1 / (1 - p)
        let threshold = UInt64((Double(p) * 65_536).rounded())
        let mask = ScratchBuffer(count: count)
        let base = mask.pointer
        let blocks = (count + blockSize - 1) / blockSize
        ComputeThreads.parallelChunks(blocks) { range in
            for block in range {
                var generator = SeededGenerator(seed: seed &+ UInt64(block) &* 0x9E37_79B9_7F4A_7C15)
                let start = block * blockSize
                let end = min(count, start + blockSize)
                var index = start
                while index < end {
                    var bits = generator.next()
                    for _ in 0..<4 where index < end {
                        base[index] = bits & 0xFFFF >= threshold ? keep : 0
                        bits >>= 16
                        index += 1
                    }
                }
            }
        }
        return mask
    }

    /// A seed for one dropout site from the step seed and the site's number.
    public static func siteSeed(step: UInt64, site: Int) -> UInt64 {
        var generator = SeededGenerator(seed: step ^ (UInt64(site) &* 0xD1B5_4A32_D192_ED03))
        return generator.next()
    }
}
