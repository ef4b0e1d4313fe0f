import Foundation
import MacroCore

/// Everything a run derives from its config before the first round, identical on every rank
/// (computed redundantly): initial positions of all N agents in global-id order, the graph,
/// its weights, the family, the target and the cost. Local (no communication).
///
/// Global ids: generated positions (`init = "uniform"`) are drawn from the counter RNG keyed
/// by (seed, draw index) and then relabeled along a Hilbert curve (Morton for d ≠ 2), so
/// contiguous id ranges are spatially compact. Positions from `x0.csv` keep their line
/// number as global id (DESIGN §8). Edge files use these global ids.
public struct Scenario: Sendable {
  public let config: RunConfig
  public let positions: [Double]
  public let graph: Graph
  public let weights: ConsensusWeights
  public let family: ExpFamily
  public let problem: MacroProblem
  public let cost: MacroCost
  /// Final radius and growths of a geometric graph (nil otherwise).
  public let geometricRadius: Double?

  /// Errors of setup: each names the config key at fault.
  public enum SetupError: Error, CustomStringConvertible {
    case graph(GraphError)
    case target(TargetError)
    case input(String)
    public var description: String {
      switch self {
      case .graph(let e): return "graph: \(e)"
      case .target(let e): return "target: \(e)"
      case .input(let s): return s
      }
    }
  }

  /// Block size of every batched BLAS call (fixed: a row's bits must not depend on it).
  public static let blockSize = 32

  /// - Parameters:
  ///   - filePositions: the rows of `x0.csv` when `agents.init = "file"` (read by the caller).
  ///   - fileEdges: the edges of `edges.csv` when `graph.kind = "file"`.
  ///   - imageTarget: the decoded image when `target.kind = "image"`.
  public init(config c: RunConfig, filePositions: [Double]? = nil, fileEdges: [(Int, Int)]? = nil,
              imageTarget: TargetDensity? = nil) throws(SetupError) {
    config = c
    let n = c.agents.count, d = c.agents.dimension
    // Positions.
    switch c.agents.initialization {
    case .uniform:
      var raw = [Double](repeating: 0, count: n * d)
      for i in 0..<n {
        for k in 0..<d {
          raw[i * d + k] = 2 * CounterRNG.uniform(seed: UInt64(c.agents.seed), id: UInt64(i),
                                                  stream: CounterRNG.Stream.initialPositions, index: UInt64(k)) - 1
        }
      }
      let order = spatialOrder(positions: raw, dimension: d)
      var x = [Double](repeating: 0, count: n * d)
      for (new, old) in order.enumerated() { for k in 0..<d { x[new * d + k] = raw[old * d + k] } }
      positions = x
    case .file:
      guard let fp = filePositions, fp.count == n * d else {
        throw .input("agents.file: expected \(n) rows of \(d) coordinates (agents.count = \(n))")
      }
      positions = fp
    }
    // Graph.
    var radius: Double? = nil
    do {
      let g: Graph
      switch c.graph.kind {
      case .ring: g = try Graph.ring(n)
      case .grid: g = try Graph.grid(n)
      case .torus: g = try Graph.torus(n)
      case .erdosRenyi: g = try Graph.erdosRenyi(n, probability: c.graph.probability, seed: UInt64(c.agents.seed))
      case .geometric:
        let gg = try Graph.geometric(positions: positions, dimension: d, meanDegree: c.graph.meanDegree)
        radius = gg.radius
        g = gg.graph
      case .file:
        guard let edges = fileEdges else { throw SetupError.input("graph.file: no edges given") }
        g = try Graph(vertexCount: n, edges: edges)
      }
      try g.requireConnected(kind: c.graph.kind.rawValue)
      graph = g
    } catch let e as GraphError {
      throw .graph(e)
    } catch let e as SetupError {
      throw e
    } catch {
      throw .input("\(error)")
    }
    geometricRadius = radius
    weights = ConsensusWeights(graph: graph, kind: c.graph.weights == .lazyMetropolis ? .lazyMetropolis : .metropolis)
    // Family, target, cost.
    let fam = ExpFamily(dimension: d, degree: c.basis.degree, quadratureNodes: c.basis.quadratureNodes,
                        lambda: c.lower.lambda, blockSize: Scenario.blockSize)
    family = fam
    let target: TargetDensity
    switch c.target.kind {
    case .mixture:
      do {
        target = try GaussianMixture(weights: c.target.weights, means: c.target.means, covariances: c.target.covariances)
      } catch { throw .target(error) }
    case .image:
      guard let img = imageTarget else { throw .input("target.file: image target not loaded") }
      target = img
    }
    let moments = TargetMoments(target: target, family: fam, fineNodes: Scenario.fineNodes(dimension: d))
    cost = MacroCost(kind: c.upper.cost == .reverseKL ? .reverseKL : .forwardKL, target: moments)
    problem = MacroProblem(family: fam, cost: cost, motion: MotionCost(rho: c.upper.motionCost))
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
    let minSelf = weights.selfWeight.min() ?? 1
    let g = max(-1, 2 * minSelf - 1)
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
