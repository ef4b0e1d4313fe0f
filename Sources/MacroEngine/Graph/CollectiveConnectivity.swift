import MPIKit

extension LocalGraph {
  /// The number of connected components of the whole graph, from every rank's rows:
  /// union–find over the owned rows, the ghosts' component labels from their owners, then
  /// the small graph of (rank, local component) nodes joined by cross-rank edges reduced on
  /// rank 0 (components without a cross-rank edge are only counted). Collective over `comm`;
  /// every rank returns the same count. Memory: O(owned + ghosts) a rank, O(components that
  /// touch another rank) on rank 0.
  public func componentCount(partition: Partition, comm: Communicator) throws(MPIError) -> Int {
    let n = ownedCount, lo = ownedRange.lowerBound
    let (label, count) = localComponentLabels()
    let offset = try comm.exclusiveScanSum(count)
    let ghosts = ghostIDs
    let ghostLabel = try partition.fetchFromOwners(ghosts, comm: comm) { offset + label[$0 - lo] }
    // Cross-rank edges as (smaller label, larger label); each is seen from both sides and
    // kept by one, so every component with a cross-rank edge appears in some pair.
    var touched = Set<Int>()
    var pairs: [Int] = []
    for s in 0..<n {
      for j32 in neighbors(ofSlot: s) where !ownedRange.contains(Int(j32)) {
        var a = 0, b = ghosts.count
        let j = Int(j32)
        while a < b { let mid = (a + b) / 2; if ghosts[mid] < j { a = mid + 1 } else { b = mid } }
        let mine = offset + label[s], theirs = ghostLabel[a]
        touched.insert(mine)
        if mine < theirs { pairs.append(mine << 31 | theirs) }
      }
    }
    pairs.sort()
    var unique: [Int] = []
    for x in pairs where unique.last != x { unique.append(x) }
    let closed = count - touched.count
    var counts = [Int](repeating: 0, count: comm.size)
    counts[0] = unique.count + 1
    let atRoot = try comm.alltoallv([closed] + unique, counts: counts)
    let total = comm.rank == 0 ? Self.componentsAtRoot(data: atRoot.data, counts: atRoot.counts) : 0
    return try comm.allreduce(total, .max)
  }

  /// Union–find over the owned rows' edges between owned agents: each owned slot's local
  /// component label (0..<count, numbered by smallest slot) and the count. Local.
  func localComponentLabels() -> (label: [Int], count: Int) {
    let n = ownedCount, lo = ownedRange.lowerBound
    var parent = Array(0..<n)
    func find(_ a: Int) -> Int {
      var a = a
      while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
      return a
    }
    for s in 0..<n {
      for j32 in neighbors(ofSlot: s) where ownedRange.contains(Int(j32)) {
        let a = find(s), b = find(Int(j32) - lo)
        if a != b { parent[max(a, b)] = min(a, b) }
      }
    }
    var label = [Int](repeating: -1, count: n)
    var count = 0
    for s in 0..<n {
      let r = find(s)
      if label[r] < 0 { label[r] = count; count += 1 }
      label[s] = label[r]
    }
    return (label, count)
  }

  /// Rank 0's part: every rank's message is [components without a cross-rank edge, then its
  /// (smaller label, larger label) pairs packed as a << 31 | b]; the count is the closed
  /// components plus the components of the graph of the pairs. Local.
  static func componentsAtRoot(data: [Int], counts: [Int]) -> Int {
    var total = 0
    var root: [Int: Int] = [:]
    func findRoot(_ a: Int) -> Int {
      var a = a
      while let p = root[a], p != a { let gp = root[p] ?? p; root[a] = gp; a = gp }
      return a
    }
    var at = 0
    for c in counts {
      guard c > 0 else { continue }
      total += data[at]
      for x in data[(at + 1)..<(at + c)] {
        let a = x >> 31, b = x & ((1 << 31) - 1)
        if root[a] == nil { root[a] = a }
        if root[b] == nil { root[b] = b }
        let ra = findRoot(a), rb = findRoot(b)
        if ra != rb { root[max(ra, rb)] = min(ra, rb) }
      }
      at += c
    }
    for (k, _) in root where findRoot(k) == k { total += 1 }
    return total
  }
}
