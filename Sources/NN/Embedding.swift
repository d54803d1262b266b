/// A lookup table from ids to vectors: row i of the table is the vector of id i.
public struct Embedding {
    public let table: Parameter

    public init(table: Parameter) {
        precondition(table.value.rank == 2, "\(table.name) must be rank 2")
        self.table = table
    }

    public var count: Int { table.value.shape[0] }
    public var width: Int { table.value.shape[1] }

    /// The rows of the given ids, shape [ids.count, width]. Ids must be in range.
    public func callAsFunction(_ ids: [Int32]) -> Tensor {
        table.value.gatherRows(ids)
    }
}
