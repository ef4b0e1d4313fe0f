/// Errors from building a partition or a halo plan.
public enum PartitionError: Error, Equatable, CustomStringConvertible {
  case invalidRankCount(Int)
  case invalidBlockSize(Int)
  case invalidAgentCount(Int)
  /// Explicit range starts that are not a valid partition; the string says why.
  case invalidStarts(String)
  case invalidRank(rank: Int, rankCount: Int)
  /// The graph and the partition disagree on the number of agents.
  case sizeMismatch(graphVertices: Int, partitionAgents: Int)

  public var description: String {
    switch self {
    case let .invalidRankCount(p): return "rank count \(p) is invalid: need at least 1 rank"
    case let .invalidBlockSize(b): return "partition block size \(b) is invalid: need at least 1"
    case let .invalidAgentCount(n): return "agent count \(n) is invalid: need 0 or more agents"
    case let .invalidStarts(why): return "invalid partition ranges: \(why)"
    case let .invalidRank(r, p): return "rank \(r) is outside 0..<\(p)"
    case let .sizeMismatch(g, a):
      return "the graph has \(g) agents but the partition covers \(a)"
    }
  }
}
