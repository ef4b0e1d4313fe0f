// Scenario+Phases: the setup phases `Scenario.init` runs in order — the owned initial
// positions, the owned graph rows, the target density and the initial feature mean.
import MacroCore
import MPIKit

extension Scenario {
  /// The owned agents' initial positions (drawn, or this rank's rows of `x0.csv`, checked
  /// collectively). Collective over `comm`.
  static func initialPositions(_ c: RunConfig, partition: Partition, comm: Communicator,
                               ownedFilePositions: [Double]?) throws -> [Double] {
    let n = c.agents.count, d = c.agents.dimension
    let own = partition.range(of: comm.rank)
    switch c.agents.initialization {
    case .uniform:
      return try DistributedPositions.uniform(seed: UInt64(c.agents.seed), dimension: d, partition: partition, comm: comm)
    case .file:
      let fp = ownedFilePositions ?? []
      let ok = try comm.allreduce(fp.count == own.count * d ? 1 : 0, .min)
      guard ok == 1 else { throw SetupError.input("agents.file: expected \(n) rows of \(d) coordinates (agents.count = \(n))") }
      return fp
    }
  }

  /// The owned graph rows, the geometric graph's final radius, and the seconds the
  /// geometric generator spent on its connectivity checks (0 for the other kinds).
  /// Collective over `comm`.
  static func graphRows(_ c: RunConfig, ownedPositions: [Double], partition: Partition, comm: Communicator,
                        fileEdges: [(Int, Int)]?) throws -> (rows: LocalGraph, radius: Double?, connectivity: Double) {
    let n = c.agents.count, d = c.agents.dimension
    let own = partition.range(of: comm.rank)
    switch c.graph.kind {
    case .ring: return (LocalGraph.ring(n, range: own), nil, 0)
    case .grid: return (try LocalGraph.lattice(n, wrap: false, range: own), nil, 0)
    case .torus: return (try LocalGraph.lattice(n, wrap: true, range: own), nil, 0)
    case .erdosRenyi:
      return (try LocalGraph.erdosRenyi(n, probability: c.graph.probability, seed: UInt64(c.agents.seed), partition: partition, comm: comm),
              nil, 0)
    case .geometric:
      let g = try LocalGraph.geometric(ownedPositions: ownedPositions, dimension: d, meanDegree: c.graph.meanDegree,
                                       partition: partition, comm: comm)
      return (g.rows, g.radius, g.connectivitySeconds)
    case .file:
      let e = fileEdges ?? []
      return (try LocalGraph.routed(owners: e.map(\.0) + e.map(\.1), neighbors: e.map(\.1) + e.map(\.0),
                                    partition: partition, comm: comm), nil, 0)
    }
  }

  /// The config's mixture, or the decoded image when `target.kind = "image"`.
  static func targetDensity(_ c: RunConfig, imageTarget: TargetDensity?) throws(SetupError) -> TargetDensity {
    switch c.target.kind {
    case .mixture:
      do {
        return try GaussianMixture(weights: c.target.weights, means: c.target.means, covariances: c.target.covariances)
      } catch { throw .target(error) }
    case .image:
      guard let img = imageTarget else { throw .input("target.file: image target not loaded") }
      return img
    }
  }

  /// (1/N) Σ_i φ(x⁰_i), summed reproducibly (the same bits for any rank count). Collective
  /// over `comm`.
  static func featureMean(ownedPositions x: [Double], dimension d: Int, family fam: ExpFamily, partition: Partition,
                          comm: Communicator) throws(SetupError) -> [Double] {
    let n = partition.agentCount, m = fam.m
    let own = partition.range(of: comm.rank)
    var vals = [Double](repeating: 0, count: m)
    do {
      let sum = try ReproducibleSum(width: m, blockSize: Scenario.blockSize, agentCount: n)
        .sum(ownedRange: own, comm: comm) { id, acc in
          x.withUnsafeBufferPointer { xp in
            vals.withUnsafeMutableBufferPointer { vp in
              fam.basis.evaluate(points: xp.baseAddress! + (id - own.lowerBound) * d, count: 1, values: vp.baseAddress!, jacobians: nil)
            }
          }
          for k in 0..<m { acc[k] += vals[k] }
        }
      return sum.map { $0 / Double(max(1, n)) }
    } catch { throw .mpi(error) }
  }
}
