import Foundation
import Testing

@testable import Transformers

/// Random damage to inputs must give a clear error or a valid result, never a crash.
@Suite struct RobustnessTests {
    @Test func randomlyCorruptedSafetensorsFilesNeverCrashTheReader() throws {
        let tensors = [
            "a.weight": Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init)),
            "b.bias": Tensor(shape: [4], scalars: [1, 2, 3, 4]),
        ]
        let valid = try SafetensorsWriter.data(tensors: tensors, metadata: ["format": "pt"])
        var generator = SeededGenerator(seed: 99)
        var rejected = 0
        for trial in 0..<2000 {
            var bytes = [UInt8](valid)
            switch trial % 4 {
            case 0:  // flip a few bytes anywhere, header included
                for _ in 0..<3 { bytes[Int(generator.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: generator.next() | 1) }
            case 1:  // truncate
                bytes.removeLast(Int(generator.next() % UInt64(bytes.count)))
            case 2:  // change a digit in the header (shapes, offsets)
                let digits = bytes.indices.filter { $0 >= 8 && $0 < 8 + 120 && (48...57).contains(bytes[$0]) }
                if let index = digits.randomElement(using: &generator) { bytes[index] = 48 + UInt8(generator.next() % 10) }
            default:  // overwrite the length field
                let length = generator.next() % 400
                for offset in 0..<8 { bytes[offset] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(offset))) }
            }
            do {
                let file = try SafetensorsFile(data: Data(bytes), path: "fuzzed")
                for entry in file.entries where entry.dtype.isFloatingPoint {
                    let tensor = try file.tensor(entry.name)
                    #expect(tensor.count == entry.shape.reduce(1, *))
                }
            } catch let error as TransformersError {
                rejected += 1
                #expect(error.localizedDescription.contains("fuzzed"))
            }
        }
        #expect(rejected > 500)
    }

    @Test func arbitraryUnicodeTextTokenizesToValidIdsWithinTheLengthLimit() throws {
        let tokenizer = try tinyTokenizer()
        var generator = SeededGenerator(seed: 5)
        let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x2FF, 0x300...0x36F, 0x2000...0x206F, 0x3040...0x30FF,
                                             0x4E00...0x9FFF, 0xE000...0xF8FF, 0x1F300...0x1FAFF, 0xFFF0...0xFFFF]
        for _ in 0..<500 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(generator.next() % 60) {
                let range = ranges[Int(generator.next() % UInt64(ranges.count))]
                let value = range.lowerBound + UInt32(generator.next() % UInt64(range.count))
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            let encoding = tokenizer.encode(text, maxLength: 16)
            #expect(encoding.ids.count <= 16 && encoding.ids.count >= 2)
            #expect(encoding.ids.allSatisfy { $0 >= 0 && Int($0) < tinyVocabulary.count })
            #expect(encoding.ids.first == tokenizer.classID && encoding.ids.last == tokenizer.separatorID)
        }
    }

    @Test func configurationsWithWrongTypesAreErrorsNotCrashes() {
        let bodies = [
            "{}", "null", "[]", #"{"hidden_size": -4}"#, #"{"hidden_size": 1e300}"#, #"{"hidden_size": 3.5}"#,
            #"{"model_type": 7}"#, #"{"hidden_size": true, "num_hidden_layers": 1}"#,
        ]
        for body in bodies {
            #expect(throws: TransformersError.self, "\(body)") {
                try BertConfiguration(data: Data(body.utf8), path: "config.json")
            }
        }
    }
}
