import Foundation
import TestSupport
import Testing

/// The screenshot checks rest on `PNGImage`, so it is checked against PNG files written by an
/// independent encoder (Python's zlib and struct), one row per filter type.
@Suite struct PNGImageTests {
    // Written by this Python 3.11 program (each row y uses filter y % 5; pixel (x, y) is
    // rgba(x, y) below; the palette image has index (x + y) % 3 and alpha 255, 128, 255):
    //   def rgba(x, y): return ((x*50 + y*7) % 256, (x*13 + y*40 + 17) % 256,
    //                           (x*x*9 + y*31) % 256, (x*60 + y*3 + 5) % 256)
    //   rows filtered with None/Sub/Up/Average/Paeth, zlib.compress(..., 9), chunks with zlib.crc32;
    //   W, H = 6, 5; colour type 2 (RGB) and 6 (RGBA); palette 4 × 5, colour type 3 with PLTE and tRNS.
    static let rgb =
        "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAIAAADpOgqxAAAAVUlEQVR42mNgEGQwkuNM0VaZZhF4wnXCr6CHjOyW8ka8nEa80ka8uka89ka8gUzsGvJoiJkv0k5WWkRWWlZWWk1WWn+u9A4WkAwvJzuvNDuvPBgFAgBQfA9Aryy5hAAAAABJRU5ErkJggg=="
    static let rgba =
        "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAYAAABmWJ3mAAAAYUlEQVR42mNgEGRgNZLjdEzRVqmdZhG484TrhK+/gh4aMrJbynMY8XLaGPFKA7EuENsDcaANE7uGPDM2zMwXaccpKy2iICstC8RqQKyvMFd6xwIWsApeTiCWBmJ5KA60AQAQMhScxYv4eAAAAABJRU5ErkJggg=="
    static let palette =
        "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAFCAMAAABVc73pAAAACVBMVEX/AAAAgP8MIjgjZVQyAAAAAnRSTlP/gAgPs2oAAAAcSURBVHjaY2BgZGJgZGT8x8gExIzM/4FMFhAXAC/cBRAPi4hdAAAAAElFTkSuQmCC"

    static func expected(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        (UInt8((x * 50 + y * 7) % 256), UInt8((x * 13 + y * 40 + 17) % 256), UInt8((x * x * 9 + y * 31) % 256),
         UInt8((x * 60 + y * 3 + 5) % 256))
    }

    static func decode(_ base64: String) throws -> PNGImage {
        try PNGImage(data: try #require(Data(base64Encoded: base64)))
    }

    @Test("RGB rows with every filter type decode to the encoded pixels")
    func rgbRowsDecode() throws {
        let image = try Self.decode(Self.rgb)
        #expect(image.width == 6 && image.height == 5)
        for y in 0..<5 {
            for x in 0..<6 {
                let (r, g, b, _) = Self.expected(x, y)
                #expect(image.pixel(x: x, y: y) == (r, g, b, 255), "pixel (\(x), \(y))")
            }
        }
    }

    @Test("RGBA rows with every filter type keep their alpha")
    func rgbaRowsDecode() throws {
        let image = try Self.decode(Self.rgba)
        for y in 0..<5 {
            for x in 0..<6 { #expect(image.pixel(x: x, y: y) == Self.expected(x, y), "pixel (\(x), \(y))") }
        }
    }

    @Test("palette images map indices through PLTE and tRNS")
    func paletteImagesDecode() throws {
        let image = try Self.decode(Self.palette)
        let colours: [(UInt8, UInt8, UInt8, UInt8)] = [(255, 0, 0, 255), (0, 128, 255, 128), (12, 34, 56, 255)]
        for y in 0..<5 {
            for x in 0..<4 { #expect(image.pixel(x: x, y: y) == colours[(x + y) % 3]) }
        }
        #expect(image.colorHistogram.count == 3)
    }

    @Test("a flipped bit fails the chunk's CRC and a foreign file is refused")
    func corruptionIsDetected() throws {
        var bytes = [UInt8](try #require(Data(base64Encoded: Self.rgb)))
        bytes[45] ^= 0x01  // inside the IDAT data
        #expect(throws: PNGImage.DecodingError.badChecksum(chunk: "IDAT")) { try PNGImage(data: Data(bytes)) }
        #expect(throws: PNGImage.DecodingError.notPNG) { try PNGImage(data: Data("GIF89a".utf8)) }
    }
}
