import Foundation
import MacroCore
import MPIKit

/// Errors of the distributed setup (the `Scenario` errors).
public typealias SetupFailure = Scenario.SetupError

/// Everything a run derives from its config before the first round. Built collectively
/// (DESIGN §3, "setup is distributed too"): a rank holds only its own agents' initial
/// positions, graph rows and weights (``LocalGraph``, ``LocalWeights``) — never all N —
/// plus the replicated tables that do not grow with N (family, target, cost).
///
/// Global ids: generated positions (`init = "uniform"`) are drawn from the counter RNG keyed
/// by (seed, draw index) and then relabeled along a Hilbert curve (Morton for d ≠ 2), so
/// contiguous id ranges are spatially compact (a parallel sample sort; the ids are those of
/// `spatialOrder` of the whole set). Positions from `x0.csv` keep their line number as
/// global id (DESIGN §8). Edge files use these global ids.
public struct Scenario: Sendable {
  /// The run's config (with the gradient method's γ clamped by ``withSafeGamma()``).
  public internal(set) var config: RunConfig
  public let comm: Communicator
  /// The partition of the agents over `comm` (the engine's).
  public let partition: Partition
  /// Initial positions of the owned agents (`partition.range(of: comm.rank)`), id order.
  public internal(set) var ownedPositions: [Double]
  /// The owned rows of the communication graph.
  public internal(set) var rows: LocalGraph
  /// Their consensus weights.
  public internal(set) var weights: LocalWeights
  public let family: ExpFamily
  /// The target density (the config's mixture, or the decoded image), built once.
  public let target: TargetDensity
  public let problem: MacroProblem
  public let cost: MacroCost
  /// Final radius of a geometric graph (nil otherwise).
  public let geometricRadius: Double?
  /// Mean degree 2E/N of the whole graph.
  public let meanDegree: Double
  /// min_i w_ii over all agents (for the gradient-mode γ bound).
  public let minSelfWeight: Double
  /// (1/N) Σ_i φ(x⁰_i), summed reproducibly (the same bits for any rank count).
  public let initialFeatureMean: [Double]
  /// Seconds this rank spent in the setup phases: "positions", "graph" (rows, including
  /// the radius growths of a geometric graph), "connectivity", "weights". Local.
  public let setupSeconds: [(phase: String, seconds: Double)]

  /// Errors of setup: each names the config key at fault.
  public enum SetupError: Error, CustomStringConvertible {
    case graph(GraphError)
    case target(TargetError)
    case input(String)
    case mpi(MPIError)
    public var description: String {
      switch self {
      case .graph(let e): return "graph: \(e)"
      case .target(let e): return "target: \(e)"
      case .input(let s): return s
      case .mpi(let e): return "\(e)"
      }
    }
  }

  /// Block size of every batched BLAS call (fixed: a row's bits must not depend on it).
  public static let blockSize = 32

  /// Collective over `comm`; every rank throws the same error.
  /// - Parameters:
  ///   - ownedFilePositions: when `agents.init = "file"`, the rows of `x0.csv` of the
  ///     agents this rank owns (`partition.range(of: comm.rank)`, read by the caller).
  ///   - fileEdges: when `graph.kind = "file"`, this rank's share of the edges of
  ///     `edges.csv` (any share: each edge is sent to the owners of both endpoints).
  ///   - imageTarget: the decoded image when `target.kind = "image"`.
  public init(config c: RunConfig, comm: Communicator = .world, ownedFilePositions: [Double]? = nil,
              fileEdges: [(Int, Int)]? = nil, imageTarget: TargetDensity? = nil) throws(SetupError) {
    config = c
    self.comm = comm
    let n = c.agents.count, d = c.agents.dimension
    do { partition = try Partition(agentCount: n, rankCount: comm.size, blockSize: Scenario.blockSize) } catch {
      throw .input("partition: \(error)")
    }
    let kind = c.graph.weights
    var times: [(phase: String, seconds: Double)] = []
    var clock = MonotonicClock.seconds()
    func lap(_ phase: String, minus: Double = 0) {
      let now = MonotonicClock.seconds()
      times.append((phase, now - clock - minus))
      clock = now
    }
    do {
      // Positions.
      ownedPositions = try Scenario.initialPositions(c, partition: partition, comm: comm, ownedFilePositions: ownedFilePositions)
      lap("positions")
      // Graph rows.
      let (graphRows, radius, connectivity) = try Scenario.graphRows(c, ownedPositions: ownedPositions, partition: partition,
                                                                    comm: comm, fileEdges: fileEdges)
      rows = graphRows
      lap("graph", minus: connectivity)
      if c.graph.kind != .geometric {
        let comps = try rows.componentCount(partition: partition, comm: comm)
        if comps > 1 { throw SetupError.graph(.disconnected(components: comps, kind: c.graph.kind.rawValue)) }
      }
      lap("connectivity", minus: -connectivity)
      geometricRadius = radius
      weights = try LocalWeights(rows: rows, partition: partition, kind: kind, comm: comm)
      lap("weights")
      meanDegree = n == 0 ? 0 : Double(try comm.allreduce(rows.neighbors.count, .sum)) / Double(n)
      minSelfWeight = try comm.allreduce(weights.selfWeight.min() ?? 1, .min)
    } catch let e as SetupError {
      throw e
    } catch let e as GraphError {
      throw .graph(e)
    } catch let e as MPIError {
      throw .mpi(e)
    } catch {
      throw .input("\(error)")
    }
    // Family, target, cost.
    let fam = ExpFamily(dimension: d, degree: c.basis.degree, quadratureNodes: c.basis.quadratureNodes,
                        lambda: c.lower.lambda, blockSize: Scenario.blockSize)
    family = fam
    target = try Scenario.targetDensity(c, imageTarget: imageTarget)
    let moments = TargetMoments(target: target, family: fam, fineNodes: Scenario.fineNodes(dimension: d))
    cost = MacroCost(kind: c.upper.cost, target: moments)
    problem = MacroProblem(family: fam, cost: cost, motion: MotionCost(rho: c.upper.motionCost))
    initialFeatureMean = try Scenario.featureMean(ownedPositions: ownedPositions, dimension: d, family: fam, partition: partition, comm: comm)
    lap("tables")
    setupSeconds = times
  }

  /// All N initial positions in id order, on every rank (an MPI_Alltoallv): O(N) on every
  /// rank, for the centralized algorithm only (one process's problem by definition).
  /// Collective over `comm`.
  public func allPositions() throws(SetupError) -> [Double] {
    do {
      let p = comm.size
      var send: [Double] = []
      send.reserveCapacity(p * ownedPositions.count)
      for _ in 0..<p { send.append(contentsOf: ownedPositions) }
      return try comm.alltoallv(send, counts: [Int](repeating: ownedPositions.count, count: p)).data
    } catch { throw .mpi(error) }
  }

  /// Nodes per axis of the rule for target moments: 120 in 1-D/2-D, 48 in 3-D.
  public static func fineNodes(dimension d: Int) -> Int { d <= 2 ? 120 : 48 }

  public var parameters: RoundParameters {
    RoundParameters(alpha: config.run.alpha, warmup: config.run.warmup, method: config.lower.method,
                    gamma: config.lower.gamma, cgIterations: config.run.cgIterations, rho: config.upper.motionCost,
                    consensusSteps: config.run.consensusSteps, acceleration: config.run.consensusAcceleration)
  }

  /// The gradient-mode step bound γ < (1 + μ_min) / h_max, where μ_min bounds the smallest
  /// eigenvalue of the round's mixing operator M from below and h_max = λ + max_y |φ(y)|² ≥
  /// ‖C(θ) + λI‖ for every θ (a variance of a function bounded by |φ|): the linearized update
  /// θ ← Mθ − γ(C + λI)θ then has no eigenvalue at or below −1. Conservative but safe for every θ.
  public var gradientGammaBound: Double {
    // max |φ|² is attained at a corner of the box (|p̂_n| is largest at ±1).
    let d = family.basis.dimension
    let corner = [Double](repeating: 1, count: d)
    let vals = family.basis.evaluate(points: corner).values
    let hmax = family.lambda + vals.reduce(0) { $0 + $1 * $1 }
    return (1 + mixingLambdaMinBound) / hmax
  }

  /// A lower bound μ_min on the eigenvalues of the round's mixing operator, from the Gershgorin
  /// bound g = max(−1, 2 min_i w_ii − 1) ≤ λ_min(W) (every eigenvalue of W lies in [g, 1]):
  /// W (k = 1): g. W^k: min over [g, 1] of λ^k — g^k for g ≥ 0 or odd k, 0 for even k and
  /// g < 0. Chebyshev p_k(W): p_k(g) when g ≥ r (p_k increases past r), else
  /// min(p_k(g), −1/T_k(1/r) = −1/cosh 2) (p_k equioscillates between ±1/cosh 2 on [−r, r] and
  /// is monotone below −r).
  public var mixingLambdaMinBound: Double {
    let g = max(-1, 2 * minSelfWeight - 1)
    let k = config.run.consensusSteps
    guard k > 1 else { return g }
    switch config.run.consensusAcceleration {
    case .none:
      return g >= 0 || k % 2 == 1 ? pow(g, Double(k)) : 0
    case .chebyshev:
      let cheb = ChebyshevMixing(steps: k)
      let atG = cheb.polynomial(at: g)
      return g >= cheb.rate ? atG : min(atG, -1 / cosh(2.0))
    }
  }
}
