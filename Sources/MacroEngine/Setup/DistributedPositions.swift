import MacroCore
import MPIKit

/// Initial positions drawn and ordered without any rank holding all N (DESIGN §3).
public enum DistributedPositions {
  /// The owned rows (`partition.range(of: comm.rank)`, global-id order) of the uniform
  /// initial positions relabeled along the space-filling curve — the rows `spatialOrder`
  /// gives the whole set. Rank r draws the draws of indices in its own range, computes their
  /// keys, and a sample sort (splitters from a gathered sample, MPI_Alltoallv) places each
  /// draw at its rank in the global (key, draw index) order, which is its global id; a
  /// second MPI_Alltoallv moves it to that id's owner. Collective over `comm`.
  public static func uniform(seed: UInt64, dimension d: Int, partition: Partition,
                      comm: Communicator) throws(MPIError) -> [Double] {
    let mine = partition.range(of: comm.rank)
    let p = comm.size
    var (raw, keys) = draws(seed: seed, dimension: d, range: mine)
    var order = Array(0..<mine.count)
    order.sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
    // (key, draw index) items in sorted order.
    let base = mine.lowerBound
    let splitters = try Self.splitters(order: order, keys: keys, base: base, comm: comm)
    // Buckets: items below splitter t go to rank t (the sorted order makes them contiguous).
    var counts = [Int](repeating: 0, count: p)
    var bucket = 0
    var items: [Int] = [], coords: [Double] = []
    items.reserveCapacity(2 * mine.count)
    coords.reserveCapacity(mine.count * d)
    for s in order {
      while bucket < splitters.count && !less(keys[s], base + s, splitters[bucket].0, splitters[bucket].1) { bucket += 1 }
      counts[bucket] += 1
      items.append(Int(bitPattern: UInt(keys[s])))
      items.append(base + s)
      for k in 0..<d { coords.append(raw[s * d + k]) }
    }
    raw = []; keys = []; order = []
    let gotItems = try comm.alltoallv(items, counts: counts.map { 2 * $0 })
    items = []
    let gotCoords = try comm.alltoallv(coords, counts: counts.map { d * $0 })
    coords = []
    let m = gotItems.data.count / 2
    func key(_ t: Int) -> UInt64 { UInt64(UInt(bitPattern: gotItems.data[2 * t])) }
    var received = Array(0..<m)
    received.sort { less(key($0), gotItems.data[2 * $0 + 1], key($1), gotItems.data[2 * $1 + 1]) }
    // Global id of received[k] = (items on lower ranks) + k; send each to its id's owner.
    let first = try comm.exclusiveScanSum(m)
    var toOwner = [Int](repeating: 0, count: p)
    var sorted = [Double](repeating: 0, count: m * d)
    for (k, t) in received.enumerated() {
      toOwner[partition.owner(of: first + k)] += d
      for a in 0..<d { sorted[k * d + a] = gotCoords.data[t * d + a] }
    }
    let out = try comm.alltoallv(sorted, counts: toOwner)
    precondition(out.data.count == mine.count * d, "sample sort delivered \(out.data.count / d) rows for \(mine.count) owned agents")
    return out.data
  }


  /// The draws of the agents of `range` (`d` coordinates each, in [−1, 1)) and their keys.
  private static func draws(seed: UInt64, dimension d: Int, range mine: Range<Int>) -> (raw: [Double], keys: [UInt64]) {
    var raw = [Double](repeating: 0, count: mine.count * d)
    var keys = [UInt64](repeating: 0, count: mine.count)
    for (s, i) in mine.enumerated() {
      for k in 0..<d {
        raw[s * d + k] = 2 * CounterRNG.uniform(seed: seed, id: UInt64(i), stream: CounterRNG.Stream.initialPositions,
                                                index: UInt64(k)) - 1
      }
      keys[s] = spatialKey(raw, at: s, dimension: d)
    }
    return (raw, keys)
  }

  /// The (key, draw index) order: by key, ties by draw index.
  private static func less(_ k1: UInt64, _ i1: Int, _ k2: UInt64, _ i2: Int) -> Bool { k1 < k2 || (k1 == k2 && i1 < i2) }

  /// The P − 1 sample-sort splitters: a regular sample of 8 items a rank per rank (from this
  /// rank's items in sorted `order`; draw index = `base` + position), gathered and sorted.
  /// Collective over `comm`.
  private static func splitters(order: [Int], keys: [UInt64], base: Int,
                                comm: Communicator) throws(MPIError) -> [(UInt64, Int)] {
    let p = comm.size
    var sample: [Int] = []
    let want = min(order.count, 8 * p)
    for t in 0..<want {
      let s = order[t * order.count / want]
      sample.append(Int(bitPattern: UInt(keys[s])))
      sample.append(base + s)
    }
    var all = try comm.allgather(sample).flatMap { $0 }
    var pairs: [(UInt64, Int)] = []
    for t in 0..<(all.count / 2) { pairs.append((UInt64(UInt(bitPattern: all[2 * t])), all[2 * t + 1])) }
    all = []
    pairs.sort { less($0.0, $0.1, $1.0, $1.1) }
    var splitters: [(UInt64, Int)] = []
    for t in 1..<max(p, 1) where !pairs.isEmpty { splitters.append(pairs[t * pairs.count / p]) }
    return splitters
  }

  /// The sort key of point `s` of `xs`: the coordinate's order-preserving bits (d = 1; NaN
  /// as −∞ and −0 as 0, like `spatialOrder`), Hilbert (d = 2) or Morton (d = 3).
  static func spatialKey(_ xs: [Double], at s: Int, dimension d: Int) -> UInt64 {
    switch d {
    case 1:
      var v = xs[s]
      if v.isNaN { v = -.infinity }
      if v == 0 { v = 0 }
      let b = v.bitPattern
      return b >> 63 == 1 ? ~b : b | (1 << 63)
    case 2:
      return hilbertKey(x: quantizeCoordinate(xs[2 * s]), y: quantizeCoordinate(xs[2 * s + 1]))
    default:
      return mortonKey(x: quantizeCoordinate(xs[3 * s]), y: quantizeCoordinate(xs[3 * s + 1]),
                       z: quantizeCoordinate(xs[3 * s + 2]))
    }
  }
}
