import Foundation
import NN

/// The element types a safetensors header may name, with their sizes in bytes.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case float64 = "F64", float32 = "F32", float16 = "F16", bfloat16 = "BF16"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"
    case float8E4M3 = "F8_E4M3", float8E5M2 = "F8_E5M2"
    case uint16 = "U16", uint32 = "U32", uint64 = "U64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .int8, .uint8, .bool, .float8E4M3, .float8E5M2: return 1
        }
    }

    /// Whether the values convert to `Float` for computation.
    public var isFloatingPoint: Bool {
        self == .float64 || self == .float32 || self == .float16 || self == .bfloat16
    }
}

/// One tensor's entry in a safetensors header.
public struct SafetensorsEntry: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Byte range within the data section (which starts after the header).
    public var dataRange: Range<Int>
}

/// A safetensors file: an 8-byte little-endian header length, a JSON header, then raw data.
///
/// Opening validates the whole header and every tensor's byte range before anything is read,
/// so a truncated or hostile file fails with a message naming the tensor instead of crashing.
/// See https://github.com/huggingface/safetensors for the format.
public struct SafetensorsFile: Sendable {
    /// The largest header accepted; real headers are kilobytes (MiniLM: 11 KB).
    public static let maximumHeaderBytes = 100 << 20

    public let path: String
    /// Entries sorted by name.
    public let entries: [SafetensorsEntry]
    /// Free-form string metadata from the header's `__metadata__` object.
    public let metadata: [String: String]
    private let bytes: Data
    private let dataStart: Int
    private let index: [String: Int]

    /// Opens and validates a file; the bytes are memory-mapped, not copied.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TransformersError.fileNotFound(path: path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TransformersError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: path)
    }

    /// Validates a file held in memory; `path` is used in messages only.
    public init(data: Data, path: String) throws {
        func fail(_ reason: String) -> TransformersError {
            .malformedSafetensors(path: path, reason: reason)
        }
        guard data.count >= 8 else {
            throw fail("the file has \(data.count) bytes, fewer than the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for offset in (0..<8).reversed() {
            headerLength = headerLength << 8 | UInt64(data[data.startIndex + offset])
        }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the \(Self.maximumHeaderBytes)-byte limit")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = data[(data.startIndex + 8)..<(data.startIndex + headerEnd)]
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: headerBytes)
        } catch {
            throw fail("the header is not valid JSON")
        }
        guard let header = parsed as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        let dataSize = data.count - headerEnd
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let object = value as? [String: Any] else {
                    throw fail("__metadata__ is not an object of strings")
                }
                for (key, item) in object {
                    guard let text = item as? String else {
                        throw fail("__metadata__ value for '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try Self.entry(named: name, from: value, dataSize: dataSize, path: path))
        }
        try Self.checkNoOverlaps(entries, path: path)
        entries.sort { $0.name < $1.name }
        self.path = path
        self.entries = entries
        self.metadata = metadata
        self.bytes = data
        self.dataStart = headerEnd
        self.index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    private static func entry(
        named name: String, from value: Any, dataSize: Int, path: String
    ) throws -> SafetensorsEntry {
        func fail(_ reason: String) -> TransformersError {
            .malformedTensorEntry(path: path, tensor: name, reason: reason)
        }
        guard let object = value as? [String: Any] else { throw fail("entry is not an object") }
        guard let dtypeName = object["dtype"] as? String else { throw fail("missing 'dtype'") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw fail("unknown dtype '\(dtypeName)'")
        }
        guard let rawShape = object["shape"] as? [Any] else { throw fail("missing 'shape'") }
        var shape: [Int] = []
        var elementCount = 1
        for dimension in rawShape {
            guard let number = dimension as? NSNumber, let extent = Int(exactly: number.doubleValue),
                extent >= 0, extent <= Int(Int32.max)
            else {
                throw fail("shape \(rawShape) has a dimension that is not a non-negative integer")
            }
            shape.append(extent)
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw fail("shape \(shape) has too many elements") }
            elementCount = product
        }
        guard let offsets = object["data_offsets"] as? [Any], offsets.count == 2,
            let beginNumber = offsets[0] as? NSNumber, let endNumber = offsets[1] as? NSNumber,
            let begin = Int(exactly: beginNumber.doubleValue),
            let end = Int(exactly: endNumber.doubleValue)
        else {
            throw fail("'data_offsets' must be two integers [begin, end]")
        }
        guard begin >= 0, begin <= end else {
            throw fail("data_offsets [\(begin), \(end)] are not an increasing range")
        }
        guard end <= dataSize else {
            throw fail(
                "data_offsets end \(end) is beyond the \(dataSize)-byte data section "
                    + "(the file is truncated or the offsets are wrong)")
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, byteCount == end - begin else {
            throw fail(
                "shape \(shape) of \(dtype.rawValue) needs \(elementCount) × \(dtype.size) bytes, "
                    + "but data_offsets [\(begin), \(end)] hold \(end - begin)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    private static func checkNoOverlaps(_ entries: [SafetensorsEntry], path: String) throws {
        let ordered = entries.filter { !$0.dataRange.isEmpty }.sorted {
            $0.dataRange.lowerBound < $1.dataRange.lowerBound
        }
        for (previous, next) in zip(ordered, ordered.dropFirst())
        where next.dataRange.lowerBound < previous.dataRange.upperBound {
            throw TransformersError.malformedTensorEntry(
                path: path, tensor: next.name,
                reason: "its bytes \(next.dataRange) overlap those of '\(previous.name)' "
                    + "\(previous.dataRange)")
        }
    }

    /// The entry for a tensor name, if present.
    public func entry(_ name: String) -> SafetensorsEntry? {
        index[name].map { entries[$0] }
    }

    /// Tensor names in sorted order.
    public var names: [String] { entries.map(\.name) }

    /// Reads a tensor converted to Float32.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entry(name) else {
            throw TransformersError.missingWeights(path: path, names: [name])
        }
        guard entry.dtype.isFloatingPoint else {
            throw TransformersError.unsupportedDType(
                path: path, tensor: name, dtype: entry.dtype.rawValue)
        }
        let count = entry.shape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: count)
        let start = bytes.startIndex + dataStart + entry.dataRange.lowerBound
        let raw = bytes[start..<(start + entry.dataRange.count)]
        raw.withUnsafeBytes { source in
            scalars.withUnsafeMutableBufferPointer { target in
                Self.convert(source, dtype: entry.dtype, into: target)
            }
        }
        return Tensor(shape: entry.shape, scalars: scalars)
    }

    private static func convert(
        _ source: UnsafeRawBufferPointer, dtype: SafetensorsDType,
        into target: UnsafeMutableBufferPointer<Float>
    ) {
        switch dtype {
        case .float32:
            for index in target.indices {
                let bits = source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                target[index] = Float(bitPattern: UInt32(littleEndian: bits))
            }
        case .float16:
            for index in target.indices {
                let bits = source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
                target[index] = Float(Float16(bitPattern: UInt16(littleEndian: bits)))
            }
        case .bfloat16:
            // bfloat16 is the top half of a float32.
            for index in target.indices {
                let bits = source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
                target[index] = Float(bitPattern: UInt32(UInt16(littleEndian: bits)) << 16)
            }
        case .float64:
            for index in target.indices {
                let bits = source.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                target[index] = Float(Double(bitPattern: UInt64(littleEndian: bits)))
            }
        default:
            break
        }
    }
}

/// Writes tensors as a safetensors file (F32, little-endian), tensors sorted by name.
public enum SafetensorsWriter {
    /// Serialises tensors and string metadata into safetensors bytes.
    public static func data(tensors: [String: Tensor], metadata: [String: String] = [:]) throws
        -> Data
    {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let tensor = tensors[name] else { continue }
            let size = tensor.count * 4
            header[name] = [
                "dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + size],
            ]
            offset += size
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var output = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { output.append(contentsOf: $0) }
        output.append(headerBytes)
        for name in names {
            guard let tensor = tensors[name] else { continue }
            #if _endian(little)
                tensor.scalars.withUnsafeBytes { output.append(contentsOf: $0) }
            #else
                for value in tensor.scalars {
                    var bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { output.append(contentsOf: $0) }
                }
            #endif
        }
        return output
    }

    /// Writes tensors to a file atomically (a temporary file renamed into place).
    public static func write(
        tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL
    ) throws {
        let bytes = try data(tensors: tensors, metadata: metadata)
        do {
            try bytes.write(to: url, options: .atomic)
        } catch {
            throw TransformersError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
