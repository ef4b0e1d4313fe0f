/// N agents over P ranks as contiguous, ascending, block-aligned ranges of global ids.
///
/// With `B = ceil(N / blockSize)` blocks, rank r gets `⌊B/P⌋` blocks plus one more if
/// `r < B mod P`; ranges follow one another in rank order. Every range starts at a multiple
/// of `blockSize` or at N (an empty trailing range), and only the range holding agent N − 1
/// may end off a block boundary. When `B < P` the last `P − B` ranks own nothing: code
/// must accept empty ranges. Every agent is owned by exactly one rank. The same on every
/// rank: all functions are Local.
public struct Partition: Sendable, Equatable {
  public let agentCount: Int
  public let blockSize: Int
  /// `rankCount + 1` range boundaries: rank r owns `starts[r] ..< starts[r + 1]`.
  public let starts: [Int]

  public var rankCount: Int { starts.count - 1 }

  /// The balanced block-aligned partition. Local.
  /// - Throws: `PartitionError` for N < 0, P < 1 or blockSize < 1.
  public init(agentCount n: Int, rankCount p: Int, blockSize b: Int = 64) throws(PartitionError) {
    guard n >= 0 else { throw .invalidAgentCount(n) }
    guard p >= 1 else { throw .invalidRankCount(p) }
    guard b >= 1 else { throw .invalidBlockSize(b) }
    let blocks = n / b + (n % b == 0 ? 0 : 1)
    let q = blocks / p, extra = blocks % p
    var s = [Int](repeating: 0, count: p + 1)
    var block = 0
    for r in 0..<p {
      block += q + (r < extra ? 1 : 0)
      s[r + 1] = min(n, block * b)
    }
    self.agentCount = n
    self.blockSize = b
    self.starts = s
  }

  /// An explicit partition (e.g. read back from a checkpoint). Local.
  /// - Throws: `PartitionError.invalidStarts` unless `starts` has at least 2 entries, starts
  ///   at 0, is non-decreasing, and every inner start is a multiple of `blockSize` or equals
  ///   the last entry (the agent count).
  public init(starts: [Int], blockSize b: Int = 1) throws(PartitionError) {
    guard b >= 1 else { throw .invalidBlockSize(b) }
    guard starts.count >= 2, let n = starts.last, starts[0] == 0 else {
      throw .invalidStarts("need rankCount + 1 ≥ 2 boundaries beginning with 0")
    }
    for r in 0..<(starts.count - 1) {
      guard starts[r] <= starts[r + 1] else {
        throw .invalidStarts("boundary \(r + 1) (\(starts[r + 1])) is below boundary \(r) (\(starts[r]))")
      }
      guard starts[r] % b == 0 || starts[r] == n else {
        throw .invalidStarts("rank \(r) starts at \(starts[r]), not a multiple of the block size \(b)")
      }
    }
    self.agentCount = n
    self.blockSize = b
    self.starts = starts
  }

  /// The global ids owned by `rank` (possibly empty). Local. Precondition: `0 <= rank < rankCount`.
  @inlinable
  public func range(of rank: Int) -> Range<Int> { starts[rank] ..< starts[rank + 1] }

  /// The rank owning global id `id`: the unique r with `id ∈ range(of: r)` (binary search,
  /// skipping empty ranges). Local. Precondition: `0 <= id < agentCount`.
  public func owner(of id: Int) -> Int {
    precondition(id >= 0 && id < agentCount, "agent id \(id) outside 0..<\(agentCount)")
    // Largest r with starts[r] <= id; with empty ranges several r share a start, and the
    // largest one is the non-empty owner.
    var lo = 0, hi = rankCount  // invariant: starts[lo] <= id < starts[hi]
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if starts[mid] <= id { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The largest number of agents on one rank. Local.
  public var maxRangeCount: Int {
    (0..<rankCount).map { starts[$0 + 1] - starts[$0] }.max() ?? 0
  }
}
