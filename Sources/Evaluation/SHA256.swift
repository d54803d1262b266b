import Foundation

/// The SHA-256 digest (FIPS 180-4), used to fingerprint checkpoints and data files.
///
/// Written here because Foundation on Linux has no CryptoKit; checked against the standard's
/// test vectors in tests.
public struct SHA256: Sendable {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    public init() {}

    /// Feeds more bytes into the digest.
    public mutating func update<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        totalBytes &+= UInt64(bytes.count)
        if pending.isEmpty, let done = bytes.withContiguousStorageIfAvailable({ buffer in
            consumeBlocks(buffer)
        }) {
            _ = done
            return
        }
        pending.append(contentsOf: bytes)
        if pending.count >= 64 {
            let whole = pending.count / 64 * 64
            let remainder = Array(pending[whole...])
            pending.withUnsafeBufferPointer { buffer in
                _ = consumeBlocks(UnsafeBufferPointer(rebasing: buffer[0..<whole]))
            }
            pending = remainder
        }
    }

    /// Consumes whole 64-byte blocks from `buffer` and keeps the rest as pending bytes.
    private mutating func consumeBlocks(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let whole = buffer.count / 64 * 64
        var offset = 0
        var words = [UInt32](repeating: 0, count: 64)
        while offset < whole {
            compress(buffer.baseAddress! + offset, &words)
            offset += 64
        }
        pending.append(contentsOf: buffer[whole...])
        return true
    }

    /// The digest of everything fed so far.
    public func finalize() -> [UInt8] {
        var copy = self
        var tail = copy.pending
        let bitLength = totalBytes &* 8
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        copy.pending = []
        var words = [UInt32](repeating: 0, count: 64)
        tail.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                copy.compress(buffer.baseAddress! + offset, &words)
                offset += 64
            }
        }
        return copy.state.flatMap { word in
            [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> UInt32($0)) }
        }
    }

    /// The digest as 64 lowercase hexadecimal digits.
    public func hexDigest() -> String {
        finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The hex digest of a byte collection.
    public static func hex<Bytes: Collection<UInt8>>(of bytes: Bytes) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.hexDigest()
    }

    /// The hex digest of a file, read in 4 MiB pieces.
    public static func hex(ofFileAt url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw EvaluationError.fileNotFound(path: url.path)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            } catch {
                throw EvaluationError.malformedFile(path: url.path, line: nil, reason: "cannot be read: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            hasher.update(chunk)
        }
        return hasher.hexDigest()
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
        0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
        0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f,
        0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
        0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc,
        0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
        0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116,
        0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
        0xc671_78f2,
    ]

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ amount: UInt32) -> UInt32 {
        (value >> amount) | (value << (32 - amount))
    }

    private mutating func compress(_ block: UnsafePointer<UInt8>, _ words: inout [UInt32]) {
        for index in 0..<16 {
            let base = index * 4
            words[index] =
                UInt32(block[base]) << 24 | UInt32(block[base + 1]) << 16
                | UInt32(block[base + 2]) << 8 | UInt32(block[base + 3])
        }
        for index in 16..<64 {
            let w15 = words[index - 15]
            let w2 = words[index - 2]
            let s0 = Self.rotateRight(w15, 7) ^ Self.rotateRight(w15, 18) ^ (w15 >> 3)
            let s1 = Self.rotateRight(w2, 17) ^ Self.rotateRight(w2, 19) ^ (w2 >> 10)
            words[index] = words[index - 16] &+ s0 &+ words[index - 7] &+ s1
        }
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        for index in 0..<64 {
            let s1 = Self.rotateRight(e, 6) ^ Self.rotateRight(e, 11) ^ Self.rotateRight(e, 25)
            let choice = (e & f) ^ (~e & g)
            let temp1 = h &+ s1 &+ choice &+ Self.roundConstants[index] &+ words[index]
            let s0 = Self.rotateRight(a, 2) ^ Self.rotateRight(a, 13) ^ Self.rotateRight(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let temp2 = s0 &+ majority
            h = g; g = f; f = e; e = d &+ temp1
            d = c; c = b; b = a; a = temp1 &+ temp2
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
    }
}
