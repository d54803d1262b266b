import CZlib
import Foundation

/// A decoded PNG image as 8-bit RGBA pixels, for tests that look at screenshots.
///
/// Reads non-interlaced images of bit depth 8 in every colour type (greyscale, RGB, palette,
/// greyscale with alpha, RGBA), checks every chunk's CRC, inflates the image data with zlib
/// and undoes all five row filters (PNG specification, 2nd edition, §9 and §12).
public struct PNGImage: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major RGBA bytes, 4 per pixel.
    public let pixels: [UInt8]

    public enum DecodingError: Error, CustomStringConvertible, Equatable {
        case notPNG
        case truncated
        case badChecksum(chunk: String)
        case unsupported(String)
        case corrupt(String)

        public var description: String {
            switch self {
            case .notPNG: "not a PNG file (the signature is missing)"
            case .truncated: "the PNG file ends inside a chunk"
            case .badChecksum(let chunk): "chunk \(chunk) fails its CRC"
            case .unsupported(let what): "unsupported PNG: \(what)"
            case .corrupt(let what): "corrupt PNG: \(what)"
            }
        }
    }

    public init(contentsOf url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    public init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw DecodingError.notPNG }
        var offset = 8
        var header: [UInt8] = []
        var palette: [UInt8] = []
        var transparency: [UInt8] = []
        var compressed: [UInt8] = []
        chunks: while offset + 12 <= bytes.count {
            let length = Int(Self.bigEndian(bytes, offset))
            guard length <= bytes.count - offset - 12 else { throw DecodingError.truncated }
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            let expected = Self.bigEndian(bytes, offset + 8 + length)
            let actual = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
            guard UInt32(actual) == expected else { throw DecodingError.badChecksum(chunk: type) }
            let body = Array(typeAndData[4...])
            switch type {
            case "IHDR": header = body
            case "PLTE": palette = body
            case "tRNS": transparency = body
            case "IDAT": compressed += body
            case "IEND": break chunks
            default: break
            }
            offset += 12 + length
        }
        guard header.count == 13 else { throw DecodingError.corrupt("no IHDR chunk") }
        width = Int(Self.bigEndian(header, 0))
        height = Int(Self.bigEndian(header, 4))
        let (depth, colorType, interlace) = (header[8], header[9], header[12])
        guard depth == 8 else { throw DecodingError.unsupported("bit depth \(depth)") }
        guard interlace == 0 else { throw DecodingError.unsupported("interlacing") }
        let channels: Int
        switch colorType {
        case 0: channels = 1
        case 2: channels = 3
        case 3: channels = 1
        case 4: channels = 2
        case 6: channels = 4
        default: throw DecodingError.unsupported("colour type \(colorType)")
        }
        guard width > 0, height > 0 else { throw DecodingError.corrupt("empty image") }
        let stride = width * channels
        let raw = try Self.inflate(compressed, expectedCount: height * (stride + 1))
        let samples = try Self.unfilter(raw, height: height, stride: stride, bytesPerPixel: channels)
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        for index in 0..<(width * height) {
            let source = index * channels
            let target = index * 4
            switch colorType {
            case 0, 4:
                rgba[target] = samples[source]
                rgba[target + 1] = samples[source]
                rgba[target + 2] = samples[source]
                if colorType == 4 { rgba[target + 3] = samples[source + 1] }
            case 3:
                let entry = Int(samples[source])
                guard entry * 3 + 2 < palette.count else { throw DecodingError.corrupt("palette index \(entry)") }
                rgba[target] = palette[entry * 3]
                rgba[target + 1] = palette[entry * 3 + 1]
                rgba[target + 2] = palette[entry * 3 + 2]
                if entry < transparency.count { rgba[target + 3] = transparency[entry] }
            default:
                for channel in 0..<channels { rgba[target + channel] = samples[source + channel] }
            }
        }
        pixels = rgba
    }

    /// The pixel at (x, y) as (red, green, blue, alpha).
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        let index = (y * width + x) * 4
        return (pixels[index], pixels[index + 1], pixels[index + 2], pixels[index + 3])
    }

    /// The pixel at (x, y) as 0xRRGGBBAA.
    public func packedColor(x: Int, y: Int) -> UInt32 {
        let index = (y * width + x) * 4
        return UInt32(pixels[index]) << 24 | UInt32(pixels[index + 1]) << 16 | UInt32(pixels[index + 2]) << 8
            | UInt32(pixels[index + 3])
    }

    /// How often each colour occurs, keyed by 0xRRGGBBAA.
    public var colorHistogram: [UInt32: Int] {
        var histogram: [UInt32: Int] = [:]
        for y in 0..<height {
            for x in 0..<width { histogram[packedColor(x: x, y: y), default: 0] += 1 }
        }
        return histogram
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func inflate(_ compressed: [UInt8], expectedCount: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedCount)
        var outputCount = uLongf(expectedCount)
        let status = output.withUnsafeMutableBufferPointer { target in
            compressed.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &outputCount, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(outputCount) == expectedCount else {
            throw DecodingError.corrupt("image data does not inflate to \(expectedCount) bytes (zlib status \(status))")
        }
        return output
    }

    /// Undoes the per-row filters: None, Sub, Up, Average and Paeth (§9.2).
    private static func unfilter(_ raw: [UInt8], height: Int, stride: Int, bytesPerPixel: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: height * stride)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            let input = row * (stride + 1) + 1
            let output = row * stride
            for column in 0..<stride {
                let x = raw[input + column]
                let left = column >= bytesPerPixel ? result[output + column - bytesPerPixel] : 0
                let up = row > 0 ? result[output - stride + column] : 0
                let upLeft = row > 0 && column >= bytesPerPixel ? result[output - stride + column - bytesPerPixel] : 0
                let predictor: UInt8
                switch filter {
                case 0: predictor = 0
                case 1: predictor = left
                case 2: predictor = up
                case 3: predictor = UInt8((Int(left) + Int(up)) / 2)
                case 4: predictor = paeth(left, up, upLeft)
                default: throw DecodingError.corrupt("row \(row) has filter type \(filter)")
                }
                result[output + column] = x &+ predictor
            }
        }
        return result
    }

    private static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a))
        let pb = abs(p - Int(b))
        let pc = abs(p - Int(c))
        return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
    }
}
