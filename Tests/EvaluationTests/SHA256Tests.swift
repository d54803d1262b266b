import Foundation
import TestSupport
import Testing

@testable import Evaluation

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func digestsMatchTheFIPSTestVectors(message: String, digest: String) {
        #expect(SHA256.hex(of: Array(message.utf8)) == digest)
    }

    @Test func aMillionLettersMatchTheLongTestVector() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func feedingInUnevenPiecesGivesTheOneShotDigest() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 7, 200, 600] {
            let end = min(bytes.count, start + size)
            hasher.update(bytes[start..<end])
            start = end
        }
        #expect(hasher.hexDigest() == SHA256.hex(of: bytes))
    }

    @Test func fileDigestEqualsTheDigestOfItsBytes() throws {
        let directory = try TestPaths.temporaryDirectory()
        let url = directory.appendingPathComponent("blob")
        let bytes = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
        try bytes.write(to: url)
        #expect(try SHA256.hex(ofFileAt: url) == SHA256.hex(of: bytes))
    }
}
