// The distributed setup against its replicated reference twin: every rank's positions,
// graph rows, weights and the component count equal those computed from the whole problem
// in one process (Graph, ConsensusWeights, spatialOrder, connectedComponents).
import Foundation
import MacroCore
import MacroEngine
import MPIKit

/// Counts the checks and stops the program at the first that fails.
final class SetupChecks {
  var count = 0
  func expect(_ ok: Bool, _ what: @autoclosure () -> String) {
    if !ok { fail("setup: \(what())") }
    count += 1
  }
}

func checkDistributedSetup(_ world: Communicator) throws -> Int {
  let checks = SetupChecks()
  for (n, block) in [(37, 4), (203, 8), (1, 1), (0, 1), (500, 32)] {
    let part = try Partition(agentCount: n, rankCount: world.size, blockSize: block)
    try checkPositionsAndGeometric(n: n, partition: part, world: world, checks)
    guard n > 1 else { continue }
    try checkGraphs(n: n, partition: part, world: world, checks)
  }
  return checks.count
}

/// Positions (sample sort vs spatialOrder) and geometric rows (with radius growth), d = 1…3.
func checkPositionsAndGeometric(n: Int, partition part: Partition, world: Communicator, _ checks: SetupChecks) throws {
  let own = part.range(of: world.rank)
  func expect(_ ok: Bool, _ what: @autoclosure () -> String) { checks.expect(ok, what()) }
  for d in 1...3 {
    // Positions: the sample sort gives the rows of spatialOrder of all draws.
    let x = try DistributedPositions.uniform(seed: 11, dimension: d, partition: part, comm: world)
    var raw = [Double](repeating: 0, count: n * d)
    for i in 0..<n {
      for k in 0..<d {
        raw[i * d + k] = 2 * CounterRNG.uniform(seed: 11, id: UInt64(i), stream: CounterRNG.Stream.initialPositions, index: UInt64(k)) - 1
      }
    }
    let order = spatialOrder(positions: raw, dimension: d)
    var ref: [Double] = []
    for id in own { for k in 0..<d { ref.append(raw[order[id] * d + k]) } }
    expect(x == ref, "n = \(n) d = \(d): sample-sorted positions differ from spatialOrder")
    guard n > 1 else { continue }
    var all: [Double] = []
    for o in order { for k in 0..<d { all.append(raw[o * d + k]) } }
    // Geometric graph with radius growth (a low mean degree forces growths).
    for meanDegree in [1.5, 8.0] {
      let local = try LocalGraph.geometric(ownedPositions: x, dimension: d, meanDegree: meanDegree, partition: part, comm: world)
      let whole = try Graph.geometric(positions: all, dimension: d, meanDegree: meanDegree)
      expect(local.radius == whole.radius, "geometric radius \(local.radius) vs \(whole.radius)")
      expect(local.rows == LocalGraph(graph: whole.graph, range: own), "geometric rows n = \(n) d = \(d)")
    }
  }
}

/// Ring, grid, ER, torus and routed edge rows, their components, weights, halo plans and
/// mixing rows against the whole graph's.
func checkGraphs(n: Int, partition part: Partition, world: Communicator, _ checks: SetupChecks) throws {
  let own = part.range(of: world.rank)
  func expect(_ ok: Bool, _ what: @autoclosure () -> String) { checks.expect(ok, what()) }
  var graphs: [(String, LocalGraph, Graph)] = [
    ("ring", LocalGraph.ring(n, range: own), try Graph.ring(n)),
    ("grid", try LocalGraph.lattice(n, wrap: false, range: own), try Graph.grid(n)),
    ("er", try LocalGraph.erdosRenyi(n, probability: 0.05, seed: 3, partition: part, comm: world),
     try Graph.erdosRenyi(n, probability: 0.05, seed: 3)),
    ("er-sparse", try LocalGraph.erdosRenyi(n, probability: 0.5 / Double(n), seed: 4, partition: part, comm: world),
     try Graph.erdosRenyi(n, probability: 0.5 / Double(n), seed: 4)),
  ]
  if n == 500 { graphs.append(("torus", try LocalGraph.lattice(n, wrap: true, range: own), try Graph.torus(n))) }  // 20 × 25
  // Edges from anywhere, routed to both owners.
  let ref = try Graph.erdosRenyi(n, probability: 0.03, seed: 9)
  let mine = ref.edges.enumerated().filter { $0.offset % world.size == (world.size - 1 - world.rank) }.map(\.element)
  graphs.append(("routed", try LocalGraph.routed(owners: mine.map(\.0) + mine.map(\.1), neighbors: mine.map(\.1) + mine.map(\.0),
                                                 partition: part, comm: world), ref))
  for (name, local, whole) in graphs {
    expect(local == LocalGraph(graph: whole, range: own), "\(name) rows n = \(n)")
    let c = try local.componentCount(partition: part, comm: world)
    expect(c == connectedComponents(whole), "\(name) components \(c) vs \(connectedComponents(whole))")
    for kind in ConsensusWeights.Kind.allCases {
      let w = try LocalWeights(rows: local, partition: part, kind: kind, comm: world)
      let wr = ConsensusWeights(graph: whole, kind: kind)
      let lo = own.isEmpty ? 0 : whole.offsets[own.lowerBound], hi = own.isEmpty ? 0 : whole.offsets[own.upperBound]
      expect(w.weightsOffDiagonal == Array(wr.weightsOffDiagonal[lo..<hi]), "\(name) \(kind) off-diagonal weights")
      expect(w.selfWeight == Array(wr.selfWeight[own]), "\(name) \(kind) self weights")
      let plan = try HaloPlan(rows: local, partition: part, rank: world.rank)
      expect(plan == (try HaloPlan(graph: whole, partition: part, rank: world.rank)), "\(name) halo plan")
      let rows = MixingRows(rows: local, weights: w, plan: plan), rr = MixingRows(graph: whole, weights: wr, plan: plan)
      expect(rows.offsets == rr.offsets && rows.slots == rr.slots && rows.weights == rr.weights
             && rows.selfWeight == rr.selfWeight && rows.selfPosition == rr.selfPosition, "\(name) mixing rows")
    }
  }
}
