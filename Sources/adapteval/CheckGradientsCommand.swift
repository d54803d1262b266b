import ArgumentParser
import Foundation
import Transformers

struct CheckGradientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-gradients",
        abstract: "Compare the loss and every parameter gradient with a PyTorch reference.",
        discussion: """
            Reads a reference in the format of ../shared/reference/minilm_grad_check.json \
            (sentences, labels, max_length, a head weights file beside it; dropout 0, mean \
            pooling, mean cross-entropy) or of ../shared/reference/mlm/mlm_grad_check.json (a \
            masked batch with input_ids and labels, for a checkpoint with a masked-LM head), \
            recomputes the loss and all gradients, and prints each tensor's relative L2-norm \
            error. Exits 0 only when everything is within tolerance, 1 otherwise.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Reference JSON file.")
    var reference: String

    @Flag(name: .long, help: "Print every tensor, not only the worst ten.")
    var all = false

    @Flag(name: .long, help: "Write JSON instead of text.")
    var json = false

    func run() throws {
        let checkpoint = try modelOptions.load()
        let url = URL(fileURLWithPath: reference)
        // A masked-LM reference gives the masked batch itself.
        let isMaskedLanguageModel = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])?["input_ids"] != nil
        let report = isMaskedLanguageModel
            ? try GradientCheck().runMaskedLanguageModel(checkpoint: checkpoint, reference: url)
            : try GradientCheck().run(checkpoint: checkpoint, reference: url)
        // Failures first (a transposed layout can fail with a perfect norm), then by norm error.
        let ordered = report.tensors.sorted {
            $0.passed != $1.passed ? !$0.passed : $0.normError > $1.normError
        }
        if json {
            let object: [String: Any] = [
                "passed": report.passed, "loss": report.loss, "reference_loss": report.referenceLoss,
                "missing": report.missing,
                "tensors": ordered.map {
                    ["name": $0.name, "norm": $0.norm, "reference_norm": $0.referenceNorm,
                     "relative_l2_error": $0.normError, "first_values_error": $0.firstValuesError,
                     "passed": $0.passed] as [String: Any]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "loss %.8f, reference %.8f, difference %.2e %@", report.loss, report.referenceLoss,
                         abs(report.loss - report.referenceLoss), report.lossPassed ? "ok" : "FAIL"))
            print("\(report.tensors.count) tensors; failures first, then the worst relative L2-norm errors:")
            for result in (all ? ordered : Array(ordered.prefix(10))) {
                let name = result.name.padding(toLength: max(58, result.name.count), withPad: " ", startingAt: 0)
                print("  \(name) " + String(format: "%.2e  first-6 %.2e  ", result.normError, result.firstValuesError)
                    + (result.passed ? "ok" : "FAIL"))
            }
            for name in report.missing { print("  \(name): no such parameter in the model  FAIL") }
            let failed = report.tensors.filter { !$0.passed }.count
            print(report.passed ? "PASSED" : "FAILED (\(failed) tensors)")
        }
        if !report.passed { throw ExitCode(ExitStatus.gateFailed) }
    }
}
