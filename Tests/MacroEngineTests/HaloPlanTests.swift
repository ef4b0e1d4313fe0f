import MacroEngine
import Testing
import _TestSupport

@Suite("Halo plan")
struct HaloPlanTests {
  @Test func handMadePath() throws {
    // Path 0–1–2–3–4–5 plus chord 0–5; ranks own [0,2), [2,3), [3,6).
    let g = try Graph(vertexCount: 6, edges: [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 5)])
    let part = try Partition(starts: [0, 2, 3, 6])
    let p0 = try HaloPlan(graph: g, partition: part, rank: 0)
    #expect(p0.neighborRanks == [1, 2])
    #expect(Array(p0.sendIDs(neighbor: 0)) == [1] && Array(p0.sendIDs(neighbor: 1)) == [0])
    #expect(Array(p0.receiveIDs(neighbor: 0)) == [2] && Array(p0.receiveIDs(neighbor: 1)) == [5])
    #expect(p0.boundaryIDs == [0, 1] && p0.interiorIDs.isEmpty)
    #expect(p0.ghostIDs == [2, 5] && p0.localCount == 4)
    #expect(p0.localSlot(of: 1) == 1 && p0.localSlot(of: 2) == 2 && p0.localSlot(of: 5) == 3)
    #expect(p0.localSlot(of: 3) == nil)
    #expect(p0.localNeighborSlots == [1, 3, 0, 2])  // rows 0: {1, 5}, 1: {0, 2}
    let p1 = try HaloPlan(graph: g, partition: part, rank: 1)  // the rank with one agent
    #expect(p1.neighborRanks == [0, 2] && p1.sendIDs == [2, 2] && p1.receiveIDs == [1, 3])
    let p2 = try HaloPlan(graph: g, partition: part, rank: 2)
    #expect(p2.neighborRanks == [0, 1])
    #expect(Array(p2.sendIDs(neighbor: 0)) == [5] && Array(p2.sendIDs(neighbor: 1)) == [3])
    #expect(p2.boundaryIDs == [3, 5] && p2.interiorIDs == [4])
  }

  @Test func errors() throws {
    let g = try Graph.ring(5)
    #expect(throws: PartitionError.sizeMismatch(graphVertices: 5, partitionAgents: 6)) {
      try HaloPlan(graph: g, partition: try Partition(agentCount: 6, rankCount: 2), rank: 0)
    }
    #expect(throws: PartitionError.invalidRank(rank: 2, rankCount: 2)) {
      try HaloPlan(graph: g, partition: try Partition(agentCount: 5, rankCount: 2), rank: 2)
    }
  }

  static func cases() throws -> [(String, Graph, Partition)] {
    let geo = Graph.geometricGraph(positions: uniformPositions(300, dimension: 2, seed: 8), dimension: 2, radius: 0.2)
    let er = try Graph.erdosRenyi(257, probability: 0.03, seed: 3)
    // Two components, each inside one rank: ranks with no boundary agents.
    let split = try Graph(vertexCount: 8, edges: [(0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (6, 7)])
    return [
      ("ring/1", try Graph.ring(10), try Partition(agentCount: 10, rankCount: 1)),
      ("ring/3", try Graph.ring(10), try Partition(agentCount: 10, rankCount: 3, blockSize: 1)),
      ("grid/4", try Graph.grid(30), try Partition(agentCount: 30, rankCount: 4, blockSize: 4)),
      ("torus/5", try Graph.torus(36), try Partition(starts: [0, 1, 2, 20, 20, 36])),
      ("geo/7", geo, try Partition(agentCount: 300, rankCount: 7, blockSize: 8)),
      ("geo/empty", geo, try Partition(agentCount: 300, rankCount: 8, blockSize: 64)),
      ("er/5", er, try Partition(agentCount: 257, rankCount: 5, blockSize: 1)),
      ("split/2", split, try Partition(starts: [0, 4, 8])),
      ("tiny", try Graph.ring(1), try Partition(agentCount: 1, rankCount: 3)),
    ]
  }

  @Test func plansAreConsistentAcrossRanks() throws {
    for (name, g, part) in try Self.cases() {
      let plans = try (0..<part.rankCount).map { try HaloPlan(graph: g, partition: part, rank: $0) }
      for (r, plan) in plans.enumerated() {
        let own = part.range(of: r)
        #expect(plan.ownedRange == own)
        #expect(plan.neighborRanks == plan.neighborRanks.sorted() && !plan.neighborRanks.contains(r))
        // Brute-force truth for the ghosts and the boundary split.
        var ghostSet = Set<Int>()
        var boundary: [Int] = [], interior: [Int] = []
        for i in own {
          let outside = g.neighbors(of: i).map(Int.init).filter { !own.contains($0) }
          ghostSet.formUnion(outside)
          if outside.isEmpty { interior.append(i) } else { boundary.append(i) }
        }
        #expect(plan.ghostIDs == ghostSet.sorted(), "\(name) rank \(r)")
        #expect(plan.boundaryIDs == boundary && plan.interiorIDs == interior, "\(name) rank \(r)")
        #expect(Set(plan.neighborRanks) == Set(ghostSet.map { part.owner(of: $0) }))
        for (k, s) in plan.neighborRanks.enumerated() {
          // Send lists of r → s equal receive lists of s → r, in the same order.
          let other = plans[s]
          let back = try #require(other.neighborRanks.firstIndex(of: r), "\(name): \(s) does not list \(r)")
          #expect(Array(plan.sendIDs(neighbor: k)) == Array(other.receiveIDs(neighbor: back)), "\(name) \(r)→\(s)")
          #expect(plan.receiveIDs(neighbor: k).allSatisfy { part.owner(of: $0) == s })
          let expectedSend = own.filter { i in g.neighbors(of: i).contains { part.owner(of: Int($0)) == s } }
          #expect(Array(plan.sendIDs(neighbor: k)) == expectedSend)
        }
        // Local adjacency maps back to the graph's rows.
        for (slot, i) in own.enumerated() {
          let mapped = plan.localNeighborSlots[plan.localOffsets[slot] ..< plan.localOffsets[slot + 1]]
            .map { plan.globalID(ofSlot: Int($0)) }
          #expect(mapped == g.neighbors(of: i).map(Int.init))
          #expect(plan.localSlot(of: i) == slot)
        }
        for (t, gid) in plan.ghostIDs.enumerated() { #expect(plan.localSlot(of: gid) == own.count + t) }
      }
    }
  }

  /// The neighbour sum computed rank by rank from owned + ghost slots equals the global
  /// reference bitwise, for every partition: the summation order is partition independent.
  @Test func haloMixMatchesReferenceBitwise() throws {
    for (name, g, part) in try Self.cases() {
      let w = ConsensusWeights(graph: g, kind: .metropolis)
      let m = 3
      let values: [Double] = (0..<(g.vertexCount * m)).map { (k: Int) -> Double in
        let a: Double = Double((k * 7919) % 1013) * 1e-3 - 0.5
        let b: Double = Double(k % 5) * 1e5
        return a + b
      }
      let reference = w.mixReference(graph: g, values: values, width: m)
      var distributed = [Double](repeating: .nan, count: g.vertexCount * m)
      for r in 0..<part.rankCount {
        let plan = try HaloPlan(graph: g, partition: part, rank: r)
        // "Exchange": fill the local array from global values through the plan.
        var local = [Double](repeating: .nan, count: plan.localCount * m)
        for slot in 0..<plan.localCount {
          for c in 0..<m { local[slot * m + c] = values[plan.globalID(ofSlot: slot) * m + c] }
        }
        for (slot, i) in plan.ownedRange.enumerated() {
          let base = g.offsets[i], localBase = plan.localOffsets[slot]
          for c in 0..<m {
            var acc = 0.0
            var selfDone = false
            for t in 0..<g.degree(i) {
              if !selfDone && Int(g.neighbors[base + t]) > i {
                acc += w.selfWeight[i] * local[slot * m + c]
                selfDone = true
              }
              acc += w.weightsOffDiagonal[base + t] * local[Int(plan.localNeighborSlots[localBase + t]) * m + c]
            }
            if !selfDone { acc += w.selfWeight[i] * local[slot * m + c] }
            distributed[i * m + c] = acc
          }
        }
      }
      #expect(distributed == reference, "\(name)")
    }
  }
}
