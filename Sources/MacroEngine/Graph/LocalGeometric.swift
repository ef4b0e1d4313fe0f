import Foundation
import MPIKit

extension LocalGraph {
  /// This rank's rows of `Graph.geometric(positions:dimension:meanDegree:)` of the whole
  /// set of agents, from the owned positions only (`ownedPositions`, the agents of
  /// `partition.range(of: comm.rank)` in id order): every rank allgathers one bounding box
  /// per rank, sends its agents within r of another rank's box to that rank (the ghost-atom
  /// pattern of LAMMPS/GROMACS), and builds its rows with a cell list over its agents and
  /// ghosts. The radius grows ×1.1 while the graph is disconnected (``componentCount``).
  /// Collective over `comm`; the same rows, radius and errors as the whole-graph version.
  public static func geometric(ownedPositions x: [Double], dimension d: Int, meanDegree: Double,
                               partition: Partition, comm: Communicator,
                               maxGrowths: Int = Graph.defaultMaxRadiusGrowths) throws(SetupFailure)
    -> (rows: LocalGraph, radius: Double, connectivitySeconds: Double) {
    let n = partition.agentCount
    let own = partition.range(of: comm.rank)
    guard (1...3).contains(d) else {
      throw .graph(.invalidParameter(name: "agents.dimension", value: "\(d)", allowed: "1, 2 or 3"))
    }
    guard n <= Int(Int32.max) else {
      throw .graph(.invalidParameter(name: "agents.count", value: "\(n)", allowed: "below 2³¹"))
    }
    guard meanDegree.isFinite, meanDegree > 0 else {
      throw .graph(.invalidParameter(name: "graph.mean_degree", value: "\(meanDegree)", allowed: "a positive number"))
    }
    precondition(x.count == own.count * d, "owned positions must be ownedCount × dimension numbers")
    do {
      var firstBad = Int.max
      for (k, v) in x.enumerated() where !v.isFinite { firstBad = own.lowerBound + k / d; break }
      firstBad = try comm.allreduce(firstBad, .min)
      if firstBad != Int.max { throw SetupFailure.graph(.nonFinitePosition(agent: firstBad)) }
      // One box per rank: lower corner, then upper corner (empty ranks: +∞, −∞).
      var box = [Double](repeating: .infinity, count: d) + [Double](repeating: -.infinity, count: d)
      for s in 0..<own.count {
        for a in 0..<d { box[a] = min(box[a], x[s * d + a]); box[d + a] = max(box[d + a], x[s * d + a]) }
      }
      let boxes = try comm.allgather(box)
      let r0 = Graph.initialGeometricRadius(agentCount: n, dimension: d, meanDegree: meanDegree)
      var r = r0, growths = 0
      var seconds = 0.0
      while true {
        let rows = try geometricRows(ownedPositions: x, dimension: d, radius: r, boxes: boxes, own: own, comm: comm)
        let t0 = MonotonicClock.seconds()
        let c = try rows.componentCount(partition: partition, comm: comm)
        seconds += MonotonicClock.seconds() - t0
        if c <= 1 { return (rows, r, seconds) }
        if growths == maxGrowths { throw SetupFailure.graph(.disconnected(components: c, kind: "geometric")) }
        r *= 1.1
        growths += 1
      }
    } catch let e as SetupFailure {
      throw e
    } catch let e as MPIError {
      throw .mpi(e)
    } catch {
      throw .input("\(error)")
    }
  }

  /// The rows for one radius: ghosts within r of this rank's box come from the other ranks
  /// (one MPI_Alltoallv), then a cell list over the rank's agents and ghosts. Collective.
  static func geometricRows(ownedPositions x: [Double], dimension d: Int, radius r: Double, boxes: [[Double]],
                            own: Range<Int>, comm: Communicator) throws(MPIError) -> LocalGraph {
    let p = comm.size, me = comm.rank
    // A margin: a point within r of any point of the box is within r(1 + 1e-9) of the box
    // (extra ghosts are harmless; they only enter the rows if within r).
    let reach = r * r * (1 + 1e-9)
    var counts = [Int](repeating: 0, count: p)
    var send: [Double] = []
    for t in 0..<p where t != me && boxes[t][0] <= boxes[t][d] {
      let b = boxes[t]
      for s in 0..<own.count {
        var dist2 = 0.0
        for a in 0..<d {
          let v = x[s * d + a]
          let delta = v < b[a] ? b[a] - v : (v > b[d + a] ? v - b[d + a] : 0)
          dist2 += delta * delta
        }
        if dist2 <= reach {
          send.append(Double(own.lowerBound + s))
          for a in 0..<d { send.append(x[s * d + a]) }
          counts[t] += d + 1
        }
      }
    }
    let got = try comm.alltoallv(send, counts: counts)
    send = []
    // Ghosts arrive in source-rank order, ids ascending: those below our range first.
    let g = got.data.count / (d + 1)
    var below = 0
    while below < g && Int(got.data[below * (d + 1)]) < own.lowerBound { below += 1 }
    let total = g + own.count
    var ids = [Int](repeating: 0, count: total)
    var pts = [Double](repeating: 0, count: total * d)
    func put(_ at: Int, id: Int, from src: [Double], offset: Int) {
      ids[at] = id
      for a in 0..<d { pts[at * d + a] = src[offset + a] }
    }
    for k in 0..<below { put(k, id: Int(got.data[k * (d + 1)]), from: got.data, offset: k * (d + 1) + 1) }
    for s in 0..<own.count { put(below + s, id: own.lowerBound + s, from: x, offset: s * d) }
    for k in below..<g { put(own.count + k, id: Int(got.data[k * (d + 1)]), from: got.data, offset: k * (d + 1) + 1) }
    var lower = [Double](repeating: 0, count: 3), upper = lower
    for a in 0..<d {
      lower[a] = .infinity; upper[a] = -.infinity
      for k in 0..<total { lower[a] = min(lower[a], pts[k * d + a]); upper[a] = max(upper[a], pts[k * d + a]) }
      if total == 0 { lower[a] = 0; upper[a] = 0 }
    }
    let local = Graph.geometricRows(positions: pts, dimension: d, radius: r, lower: lower, upper: upper,
                                    rows: below..<(below + own.count))
    // Local indices follow ascending global ids, so mapped rows stay ascending.
    let nb = local.neighbors.map { Int32(ids[Int($0)]) }
    return LocalGraph(ownedRange: own, sortedOffsets: local.offsets, sortedNeighbors: nb)
  }
}
