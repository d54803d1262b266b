import Foundation
import Testing

@testable import Transformers

/// Builds safetensors bytes from a raw header string and data, for malformed-file tests.
func safetensorsBytes(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> Data {
    let headerBytes = Array(header.utf8)
    var length = (declaredLength ?? UInt64(headerBytes.count)).littleEndian
    var bytes = Data()
    withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: headerBytes)
    bytes.append(contentsOf: data)
    return bytes
}

func expectMalformed(
    _ data: Data, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        _ = try SafetensorsFile(data: data, path: "bad.safetensors")
        Issue.record("a malformed file was accepted", sourceLocation: sourceLocation)
    } catch let error as TransformersError {
        let message = error.localizedDescription
        #expect(message.contains("bad.safetensors"), "\(message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(message.contains(fragment), "\(message)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct SafetensorsTests {
    @Test func writtenTensorsReadBackBitForBitWithMetadata() throws {
        let tensors = [
            "b.weight": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .pi, -0, 1e-30]),
            "a.bias": Tensor(shape: [4], scalars: [0.1, 0.2, 0.3, 0.4]),
            "scalar": Tensor(shape: [], scalars: [7]),
            "empty": Tensor(shape: [0, 3], scalars: []),
        ]
        let data = try SafetensorsWriter.data(tensors: tensors, metadata: ["format": "pt", "note": "x"])
        let file = try SafetensorsFile(data: data, path: "roundtrip")
        #expect(file.names == ["a.bias", "b.weight", "empty", "scalar"])
        #expect(file.metadata == ["format": "pt", "note": "x"])
        for (name, tensor) in tensors {
            let loaded = try file.tensor(name)
            #expect(loaded.shape == tensor.shape)
            #expect(loaded.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
        }
        // The data section starts 8-byte aligned, as the reference implementation writes it.
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
    }

    @Test func halfPrecisionAndBFloat16AndDoubleConvertToFloat() throws {
        // 1.5 and -2 in F16 (0x3E00, 0xC000), BF16 (0x3FC0, 0xC000), F64.
        var data: [UInt8] = [0x00, 0x3E, 0x00, 0xC0, 0xC0, 0x3F, 0x00, 0xC0]
        withUnsafeBytes(of: (0.25 as Double).bitPattern.littleEndian) { data.append(contentsOf: $0) }
        let header = """
            {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},\
            "b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},\
            "d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}
            """
        let file = try SafetensorsFile(data: safetensorsBytes(header: header, data: data), path: "mixed")
        #expect(try file.tensor("h").scalars == [1.5, -2])
        #expect(try file.tensor("b").scalars == [1.5, -2])
        #expect(try file.tensor("d").scalars == [0.25])
    }

    @Test func integerTensorsAreListedButRefusedAsFloats() throws {
        let header = #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        let file = try SafetensorsFile(data: safetensorsBytes(header: header, data: Array(repeating: 0, count: 8)), path: "ints")
        #expect(file.entry("ids")?.dtype == .int64)
        #expect(throws: TransformersError.unsupportedDType(path: "ints", tensor: "ids", dtype: "I64")) {
            try file.tensor("ids")
        }
    }

    @Test func aFileShorterThanTheLengthFieldIsRejected() {
        expectMalformed(Data([1, 2, 3]), mentioning: ["fewer than the 8-byte"])
    }

    @Test func aHeaderLengthPastTheEndOfTheFileIsRejected() {
        expectMalformed(safetensorsBytes(header: "{}", data: [], declaredLength: 500), mentioning: ["runs past the end"])
    }

    @Test func anAbsurdHeaderLengthIsRejectedBeforeReading() {
        expectMalformed(safetensorsBytes(header: "{}", data: [], declaredLength: 1 << 40), mentioning: ["limit"])
    }

    @Test func aHeaderThatIsNotJSONIsRejected() {
        expectMalformed(safetensorsBytes(header: "{not json", data: []), mentioning: ["not valid JSON"])
        expectMalformed(safetensorsBytes(header: "[1,2]", data: []), mentioning: ["not a JSON object"])
    }

    @Test func anUnknownDTypeIsRejectedNamingTheTensor() {
        let header = #"{"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#
        expectMalformed(safetensorsBytes(header: header, data: [0, 0, 0, 0]), mentioning: ["'w'", "F17"])
    }

    @Test func aShapeThatDoesNotMatchTheByteRangeIsRejected() {
        let header = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#
        expectMalformed(safetensorsBytes(header: header, data: Array(repeating: 0, count: 12)), mentioning: ["'w'", "[2, 2]"])
    }

    @Test func overlappingTensorsAreRejected() {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
            """
        expectMalformed(safetensorsBytes(header: header, data: Array(repeating: 0, count: 12)), mentioning: ["overlap"])
    }

    @Test func offsetsBeyondTheDataAreReportedAsTruncation() {
        let header = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        expectMalformed(safetensorsBytes(header: header, data: Array(repeating: 0, count: 10)), mentioning: ["'w'", "truncated"])
    }

    @Test func negativeDimensionsAndReversedOffsetsAreRejected() {
        let negative = #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#
        expectMalformed(safetensorsBytes(header: negative, data: [0, 0, 0, 0]), mentioning: ["'w'", "non-negative"])
        let reversed = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#
        expectMalformed(safetensorsBytes(header: reversed, data: [0, 0, 0, 0]), mentioning: ["'w'", "increasing"])
    }

    @Test func entriesMissingFieldsAreRejected() {
        expectMalformed(safetensorsBytes(header: #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), mentioning: ["dtype"])
        expectMalformed(safetensorsBytes(header: #"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), mentioning: ["shape"])
        expectMalformed(safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]), mentioning: ["data_offsets"])
        expectMalformed(safetensorsBytes(header: #"{"__metadata__":{"a":1}}"#, data: []), mentioning: ["__metadata__"])
    }

    @Test func aMissingFileIsReportedByPath() {
        #expect(throws: TransformersError.fileNotFound(path: "/nonexistent/model.safetensors")) {
            try SafetensorsFile(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors"))
        }
    }
}
