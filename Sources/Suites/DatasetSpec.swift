import Foundation

/// A labelled data file (or Multi-Domain Sentiment folder) and how to read it.
public struct DatasetSpec: Decodable, Encodable, Sendable, Equatable, Placeholder {
    public enum Format: String, Codable, Sendable, CaseIterable {
        /// `{"text": ..., "label": ...}` per line, optional `"pair"` and `"id"`.
        case jsonl
        /// Header row; columns named by `text_column`, `label_column`, `pair_column`.
        case csv, tsv
        /// GLUE SST-2 `sentence<TAB>label` (0 negative, 1 positive).
        case sst2
        /// A Multi-Domain Sentiment domain folder with positive.review and negative.review.
        case mds
        /// Davidson et al. (2017) labeled_data.csv (labelled toxicity).
        case davidson
        /// Scored sentence pairs: STS Benchmark's tab-separated layout, or JSON Lines with
        /// `sentence1`, `sentence2` and `score` when the path ends in .jsonl.
        case sts
        /// A retrieval collection folder in BEIR's layout (corpus.jsonl, queries.jsonl, qrels/test.tsv).
        case beir
    }

    /// Relative to the suite file; `${VAR}` expands.
    public var path: String
    public var format: Format?
    public var textColumn: String
    public var labelColumn: String
    public var pairColumn: String?
    /// Renames raw label values, e.g. `{"0": negative, "1": positive}`.
    public var labels: [String: String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, format, textColumn = "text_column", labelColumn = "label_column", pairColumn = "pair_column", labels
    }

    static var placeholder: DatasetSpec {
        DatasetSpec(path: "", format: nil, textColumn: "text", labelColumn: "label", pairColumn: nil, labels: nil)
    }

    init(path: String, format: Format?, textColumn: String, labelColumn: String, pairColumn: String?, labels: [String: String]?) {
        self.path = path
        self.format = format
        self.textColumn = textColumn
        self.labelColumn = labelColumn
        self.pairColumn = pairColumn
        self.labels = labels
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        format = try c.decodeKeyword(Format.self, forKey: .format, noun: "format", decoder: decoder)
        textColumn = try c.decodeIfPresent(String.self, forKey: .textColumn) ?? "text"
        labelColumn = try c.decodeIfPresent(String.self, forKey: .labelColumn) ?? "label"
        pairColumn = try c.decodeIfPresent(String.self, forKey: .pairColumn)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
    }

    /// The format given, or the one the path's extension implies.
    func resolvedFormat(path: String) -> Format? {
        if let format { return format }
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonl
        case "csv": return .csv
        case "tsv": return .tsv
        default: return nil
        }
    }
}
