import Adaptation
import Evaluation
import Foundation
import Transformers

/// The checks after decoding: files, columns, splits, labels, references and options. Each
/// problem is recorded at the field it concerns and checking goes on.
struct SuiteChecker {
    let definition: SuiteDefinition
    let log: DecodingLog
    let folder: URL
    let environment: [String: String]

    /// Datasets read so far, by name (nil when reading failed).
    var datasets: [String: (dataset: Dataset, source: TaskIdentity.Source)?] = [:]
    /// Retrieval collections (`format: beir`) by dataset name.
    var collections: [String: RetrievalCollection] = [:]

    init(definition: SuiteDefinition, log: DecodingLog, folder: URL, environment: [String: String]) {
        self.definition = definition
        self.log = log
        self.folder = folder
        self.environment = environment
    }

    struct Resolved {
        var model: ResolvedModel
        var tasks: [TaskData]
        var chains: [[String]]
        var remoteProbes: [ResolvedRemoteProbe] = []
        var probes: [ResolvedProbe]
    }

    mutating func check() -> Resolved? {
        if definition.name.trimmingCharacters(in: .whitespaces).isEmpty, log.marks["name"] != nil {
            log.record("the suite needs a name", field: "name")
        }
        let model = checkModel()
        for (name, spec) in definition.datasets.entries {
            datasets[name] = readDataset(name: name, spec: spec)
        }
        var tasks: [TaskData] = []
        for (name, spec) in definition.tasks.entries {
            if let task = makeTask(name: name, spec: spec) { tasks.append(task) }
        }
        if definition.tasks.entries.isEmpty, log.marks["tasks"] != nil {
            log.record("the suite needs at least one task", field: "tasks")
        }
        let chains = checkChains()
        checkStrategies(tasks: tasks, chains: chains)
        checkMultiTask(tasks: tasks)
        checkSeeds()
        checkEvaluation()
        let remoteProbes = checkRemoteProbes(model: model)
        let probes = checkProbes(tasks: tasks)
        checkGates()
        guard let model else { return nil }
        return Resolved(model: model, tasks: tasks, chains: chains, remoteProbes: remoteProbes, probes: probes)
    }

    /// A path from the suite, resolved against the suite's folder.
    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path).standardizedFileURL
            : folder.appendingPathComponent(path).standardizedFileURL
    }

    // MARK: model

    func checkModel() -> ResolvedModel? {
        let spec = definition.model
        if let remote = spec.remote { return checkRemoteModel(remote) }
        guard !spec.path.isEmpty else { return nil }
        let directory = resolve(spec.path)
        let field = log.marks["model.path"] != nil ? "model.path" : "model"
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            log.record("no checkpoint folder at \(directory.path) (run `make setup` for the default model)", field: field)
            return nil
        }
        var hashes: [String: String] = [:]
        for file in Checkpoint.identityFiles {
            let url = directory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            do {
                hashes[file] = try ModelHashes.sha256(of: url)
            } catch {
                log.record("cannot read \(url.path): \(FileSystemErrorDescription.reasonOrDescription(of: error))", field: field)
            }
        }
        for required in ["config.json", "model.safetensors"] where hashes[required] == nil {
            log.record("\(directory.path) has no \(required); a model folder holds config.json, model.safetensors and vocab.txt or tokenizer.json", field: field)
        }
        if hashes["vocab.txt"] == nil, hashes["tokenizer.json"] == nil {
            log.record("\(directory.path) has neither vocab.txt nor tokenizer.json", field: field)
        }
        guard let weights = hashes["model.safetensors"] else { return nil }
        return ResolvedModel(
            directory: directory, name: spec.name ?? directory.lastPathComponent, weightsSHA256: weights, fileSHA256: hashes)
    }

    // MARK: datasets

    mutating func readDataset(name: String, spec: DatasetSpec) -> (dataset: Dataset, source: TaskIdentity.Source)? {
        let field = "datasets.\(name).path"
        guard !spec.path.isEmpty else { return nil }
        let url = resolve(spec.path)
        guard let format = spec.resolvedFormat(path: url.path) else {
            log.record("cannot tell the format of '\(spec.path)'; add format: (one of \(DatasetSpec.Format.allCases.map(\.rawValue).joined(separator: ", ")))", field: field)
            return nil
        }
        let columnsApply = format == .csv || format == .tsv || format == .jsonl
        if !columnsApply {
            for (key, given) in [("text_column", spec.textColumn != "text"), ("label_column", spec.labelColumn != "label"),
                                 ("pair_column", spec.pairColumn != nil)] where given {
                log.record("\(key) does not apply to format \(format.rawValue), whose columns are fixed", field: "datasets.\(name).\(key)")
            }
        }
        var files: [URL] = []
        let dataset: Dataset
        do {
            switch format {
            case .jsonl:
                files = [url]
                dataset = try DatasetReaders.jsonLines(
                    path: url.path, textField: spec.textColumn, labelField: spec.labelColumn, pairField: spec.pairColumn,
                    requireLabels: false)
            case .csv, .tsv:
                files = [url]
                dataset = try DatasetReaders.delimited(
                    path: url.path, textColumn: spec.textColumn, labelColumn: spec.labelColumn, pairColumn: spec.pairColumn,
                    delimiter: format == .tsv ? "\t" : ",", requireLabels: false)
            case .sts:
                files = [url]
                dataset = try DatasetReaders.scoredPairs(path: url.path)
            case .beir:
                let collection = try DatasetReaders.retrievalCollection(folder: url.path)
                files = ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"].map { url.appendingPathComponent($0) }
                    .filter { FileManager.default.fileExists(atPath: $0.path) }
                if files.count < 3 { files.append(url.appendingPathComponent("qrels.tsv")) }
                collections[name] = collection
                dataset = Dataset(
                    name: collection.name, samples: collection.queries.map { Sample(id: $0.id, text: $0.text, label: "") }, labelNames: [])
            case .sst2:
                files = [url]
                dataset = try DatasetReaders.sst2(path: url.path)
            case .davidson:
                files = [url]
                dataset = try DatasetReaders.davidson(path: url.path)
            case .mds:
                files = ["negative", "positive"].map { url.appendingPathComponent("\($0).review") }
                dataset = try DatasetReaders.multiDomainSentiment(folder: url.path)
            }
        } catch let error as EvaluationError {
            let fieldForError: String
            if case .missingColumn = error {
                fieldForError = "datasets.\(name)"
            } else {
                fieldForError = field
            }
            log.record(error.localizedDescription, field: fieldForError)
            return nil
        } catch {
            log.record("\(url.path): \(FileSystemErrorDescription.reasonOrDescription(of: error))", field: field)
            return nil
        }
        var renamed = dataset
        if let labels = spec.labels {
            renamed.samples = dataset.samples.map { sample in
                var sample = sample
                sample.label = labels[sample.label] ?? sample.label
                return sample
            }
            let order = dataset.labelNames.map { labels[$0] ?? $0 }
            renamed.labelNames = Array(NSOrderedSet(array: order)) as? [String] ?? order
        }
        let hashes: [String]
        do {
            hashes = try files.map { try SHA256.hex(ofFileAt: $0) }
        } catch {
            log.record("cannot read \(url.path): \(FileSystemErrorDescription.reasonOrDescription(of: error))", field: field)
            return nil
        }
        let source = TaskIdentity.Source(
            role: "", format: format.rawValue, textColumn: columnsApply ? spec.textColumn : "",
            labelColumn: columnsApply ? spec.labelColumn : "", pairColumn: spec.pairColumn, labels: spec.labels,
            fileSHA256: hashes)
        return (renamed, source)
    }
}

/// Caches file hashes by path, size and modification time, so the 90 MB weights are hashed
/// once per process however many suites name them.
enum ModelHashes {
    nonisolated(unsafe) private static var cache: [String: (size: Int, modified: Date, hash: String)] = [:]
    private static let lock = NSLock()

    static func sha256(of url: URL) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        lock.lock()
        let cached = cache[url.path]
        lock.unlock()
        if let cached, cached.size == size, cached.modified == modified { return cached.hash }
        let hash = try SHA256.hex(ofFileAt: url)
        lock.lock()
        cache[url.path] = (size, modified, hash)
        lock.unlock()
        return hash
    }
}
