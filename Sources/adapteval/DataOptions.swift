import Adaptation
import ArgumentParser
import Evaluation
import Foundation

/// How `train` reads its data files.
enum DataFormat: String, ExpressibleByArgument, CaseIterable {
    /// `{"text": ..., "label": ...}` lines (optional "pair").
    case jsonl
    /// SST-2 from GLUE: `sentence<TAB>label`.
    case sst2
    /// A Multi-Domain Sentiment domain folder holding positive.review and negative.review.
    case mds
    /// Davidson et al. (2017) labeled_data.csv.
    case davidson
    /// CSV or TSV with a header; columns named by --text-column, --label-column, --pair-column.
    case csv, tsv
}

/// Data-format options shared by the files of one `train` run.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Format of the data files: \(DataFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: DataFormat = .jsonl

    @Option(name: .long, help: "Text column for csv and tsv.") var textColumn: String = "text"
    @Option(name: .long, help: "Label column for csv and tsv.") var labelColumn: String = "label"
    @Option(name: .long, help: "Optional second-text column for csv and tsv (sentence pairs).") var pairColumn: String?

    /// Reads one file (or MDS folder); label indices follow `labelNames` when given.
    func read(_ path: String, labelNames fixed: [String]? = nil) throws -> LabelledDataset {
        try LabelledDataset(try dataset(path), labelNames: fixed, source: path)
    }

    /// Reads one file (or MDS folder) as samples.
    func dataset(_ path: String) throws -> Dataset {
        switch format {
        case .jsonl: return try DatasetReaders.jsonLines(path: path)
        case .sst2: return try DatasetReaders.sst2(path: path)
        case .mds: return try DatasetReaders.multiDomainSentiment(folder: path)
        case .davidson: return try DatasetReaders.davidson(path: path)
        case .csv, .tsv:
            return try DatasetReaders.delimited(
                path: path, textColumn: textColumn, labelColumn: labelColumn, pairColumn: pairColumn,
                delimiter: format == .tsv ? "\t" : ",")
        }
    }

    /// Reads only the texts of one file (or MDS folder): JSONL needs no label field here.
    func readTexts(_ path: String) throws -> [String] {
        switch format {
        case .jsonl: return try DatasetReaders.texts(path: path)
        case .sst2: return try DatasetReaders.sst2(path: path).samples.map(\.text)
        case .mds: return try DatasetReaders.multiDomainSentiment(folder: path).samples.map(\.text)
        case .davidson: return try DatasetReaders.davidson(path: path).samples.map(\.text)
        case .csv, .tsv:
            return try DatasetReaders.delimited(
                path: path, textColumn: textColumn, labelColumn: labelColumn, pairColumn: pairColumn,
                delimiter: format == .tsv ? "\t" : ",").samples.map(\.text)
        }
    }
}
