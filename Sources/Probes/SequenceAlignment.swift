/// The matching blocks of Python's `difflib.SequenceMatcher(None, a, b)` (Ratcliff and
/// Obershelp's "gestalt pattern matching", as difflib implements it), which CrowS-Pairs
/// uses to find the tokens two sentences share.
///
/// Reproduced rule for rule so that the shared positions equal the reference's: the longest
/// matching block is found first (earliest in `a`, then in `b`, on ties), then recursively left
/// and right of it; with no junk function, "popular" elements of `b` (more than 1% + 1 of its
/// items, when `b` has at least 200) are left out of the index but still extend matches
/// (difflib's `autojunk`).
public struct SequenceAlignment<Element: Hashable> {
    public let a: [Element]
    public let b: [Element]
    /// Positions in `b` of each element, ascending, without popular elements.
    private let positionsInB: [Element: [Int]]

    public init(_ a: [Element], _ b: [Element]) {
        self.a = a
        self.b = b
        var positions: [Element: [Int]] = [:]
        for (index, element) in b.enumerated() { positions[element, default: []].append(index) }
        if b.count >= 200 {
            let threshold = b.count / 100 + 1
            positions = positions.filter { $0.value.count <= threshold }
        }
        positionsInB = positions
    }

    /// A block a[a..<a+size] == b[b..<b+size].
    public struct Block: Sendable, Equatable {
        public var a: Int
        public var b: Int
        public var size: Int
    }

    /// difflib's `find_longest_match(aLow, aHigh, bLow, bHigh)`.
    func longestMatch(_ aLow: Int, _ aHigh: Int, _ bLow: Int, _ bHigh: Int) -> Block {
        var bestA = aLow
        var bestB = bLow
        var bestSize = 0
        var lengths: [Int: Int] = [:]
        for i in aLow..<aHigh {
            var next: [Int: Int] = [:]
            for j in positionsInB[a[i]] ?? [] {
                if j < bLow { continue }
                if j >= bHigh { break }
                let k = (lengths[j - 1] ?? 0) + 1
                next[j] = k
                if k > bestSize {
                    bestA = i - k + 1
                    bestB = j - k + 1
                    bestSize = k
                }
            }
            lengths = next
        }
        // No junk function: every element extends a match, popular ones included.
        while bestA > aLow, bestB > bLow, a[bestA - 1] == b[bestB - 1] {
            bestA -= 1
            bestB -= 1
            bestSize += 1
        }
        while bestA + bestSize < aHigh, bestB + bestSize < bHigh, a[bestA + bestSize] == b[bestB + bestSize] {
            bestSize += 1
        }
        return Block(a: bestA, b: bestB, size: bestSize)
    }

    /// difflib's `get_matching_blocks()` without the final empty block: non-overlapping blocks
    /// in increasing order, adjacent ones merged.
    public var matchingBlocks: [Block] {
        var queue = [(0, a.count, 0, b.count)]
        var blocks: [Block] = []
        while let (aLow, aHigh, bLow, bHigh) = queue.popLast() {
            let block = longestMatch(aLow, aHigh, bLow, bHigh)
            guard block.size > 0 else { continue }
            blocks.append(block)
            if aLow < block.a, bLow < block.b { queue.append((aLow, block.a, bLow, block.b)) }
            if block.a + block.size < aHigh, block.b + block.size < bHigh {
                queue.append((block.a + block.size, aHigh, block.b + block.size, bHigh))
            }
        }
        blocks.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        var merged: [Block] = []
        for block in blocks {
            if let last = merged.last, last.a + last.size == block.a, last.b + last.size == block.b {
                merged[merged.count - 1].size += block.size
            } else {
                merged.append(block)
            }
        }
        return merged
    }

    /// The positions of `a` and of `b` inside `equal` opcodes, in order (pairwise aligned).
    public var equalPositions: (a: [Int], b: [Int]) {
        var first: [Int] = []
        var second: [Int] = []
        for block in matchingBlocks {
            first += block.a..<(block.a + block.size)
            second += block.b..<(block.b + block.size)
        }
        return (first, second)
    }
}
