import Adaptation
import ArgumentParser
import Evaluation
import Foundation
import ResultStore
import Suites
import Transformers

/// The `adapteval` command: fine-tune, evaluate and audit language models.
@main
struct AdaptEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapteval",
        abstract: "Fine-tune pretrained language models once per strategy and evaluate the results.",
        discussion: """
            Exit codes: 0 ok, 1 gate failed, 2 invalid input (suite, data, model, arguments), \
            3 runtime failure, 130 interrupted.
            """,
        version: AdaptEvalVersion.current,
        subcommands: [
            TokenizeCommand.self, EmbedCommand.self, SimilarityCommand.self, ModelCommand.self,
            CheckGradientsCommand.self, TrainCommand.self, PretrainCommand.self, EvaluateEmbeddingsCommand.self, RunCommand.self,
            RunsCommand.self, ExportCommand.self,
            MergeCommand.self, DivergeCommand.self, TransferabilityCommand.self, RecommendCommand.self, GenerateCommand.self,
            ProbeCommand.self, ToxicityCommand.self, BenchCommand.self, GateCommand.self, CompareCommand.self,
            ReportCommand.self,
        ]
    )

    static func main() {
        selectBLASKernels()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(with: error)
        }
    }

    /// Re-executes this process with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to generic
    /// kernels on a CPU that runs better ones (see `BLASRuntime`); the variable is read only
    /// when the library loads. Any failure simply continues with the kernels already loaded.
    static func selectBLASKernels() {
        guard let core = BLASRuntime.recommendedCoreOverride() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }

    /// Prints the error and exits with the code DESIGN.md assigns to its kind.
    static func exit(with error: Error) -> Never {
        let code: Int32
        switch error {
        case let exitCode as ExitCode:
            code = exitCode.rawValue
        case let error as any CategorizedError:
            printError(error.localizedDescription)
            code = ExitStatus.code(for: error.category)
        case let error where FileSystemErrorDescription.isFileSystemError(error):
            // Foundation's own text is generic or a raw NSError dump; say what happened to which path.
            printError(FileSystemErrorDescription.message(for: error))
            code = ExitStatus.code(for: FileSystemErrorDescription.category(of: error) ?? .runtimeFailure)
        default:
            let parserCode = Self.exitCode(for: error)
            if parserCode == .success {
                print(Self.fullMessage(for: error))
                code = 0
            } else if parserCode == .validationFailure || error is ValidationError {
                printError(Self.fullMessage(for: error))
                code = ExitStatus.invalidInput
            } else {
                printError(Self.fullMessage(for: error))
                code = ExitStatus.runtimeFailure
            }
        }
        Foundation.exit(code)
    }
}

/// Process exit codes, as DESIGN.md defines them.
enum ExitStatus {
    static let gateFailed: Int32 = 1
    static let invalidInput: Int32 = 2
    static let runtimeFailure: Int32 = 3
    static let interrupted: Int32 = 130

    static func code(for category: ErrorCategory) -> Int32 {
        switch category {
        case .invalidInput: return invalidInput
        case .runtimeFailure: return runtimeFailure
        case .interrupted: return interrupted
        }
    }
}


/// Writes a line to standard error, prefixed with the program name.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("adapteval: \(message)\n".utf8))
}
