import Foundation
import Testing
import MacroCore
import MacroEngine
import MPIKit
import _TestSupport

/// The `gradient` lower-level method (DESIGN §2 step 3): with γ = 1 it does not converge on
/// a grid (|λ_min(W) − γ h_max| > 1: the errors stall or grow), with γ below the bound
/// (1 + λ_min(W))/h_max that the run enforces it contracts — also with k consensus steps a
/// round (W^k, Chebyshev p_k(W)), where λ_min of the mixing operator replaces λ_min(W).
/// In-process, singleton MPI, agents frozen (α = 0).
@Suite(.serialized) struct GradientModeTests {
  /// The default scenario on an 8×8 grid with degree K, n_q = 5K and k consensus steps.
  static func gridConfig(degree: Int, steps: Int, acceleration: RunConfig.ConsensusAcceleration) -> RunConfig {
    var cfg = RunConfig.default
    cfg.agents.count = 64
    cfg.graph.kind = .grid
    cfg.basis.degree = degree
    cfg.basis.quadratureNodes = 5 * degree
    cfg.run.consensusSteps = steps
    cfg.run.consensusAcceleration = acceleration
    return cfg
  }

  func thetaErrors(gamma: Double?, rounds: Int, degree: Int, steps: Int = 1,
                   acceleration: RunConfig.ConsensusAcceleration = .none) throws -> (errors: [Double], bound: Double) {
    try SingletonMPI.initialize()
    var cfg = Self.gridConfig(degree: degree, steps: steps, acceleration: acceleration)
    cfg.lower.method = .gradient
    cfg.run.alpha = 0
    cfg.run.warmup = 0
    let probe = try Scenario(config: cfg)
    let bound = probe.gradientGammaBound
    cfg.lower.gamma = gamma ?? 0.9 * bound
    let engine = try DistributedEngine(scenario: try Scenario(config: cfg), comm: .world)
    var errors: [Double] = []
    for r in 1...rounds {
      try engine.step()
      if r % (rounds / 10) == 0 {
        let d = try engine.diagnostics()
        errors.append(d.nonfinite > 0 ? .infinity : d.thetaStarError + d.consensusTheta)
      }
    }
    return (errors, bound)
  }

  @Test func gammaOneFailsOnAGrid() throws {
    let (e, bound) = try thetaErrors(gamma: 1, rounds: 400, degree: 6)
    print("gradient mode, gamma = 1 (bound \(bound)): errors \(e)")
    #expect(bound < 1)
    #expect(e.last.map { !$0.isFinite || $0 > 0.1 * e[0] } == true)
  }

  @Test func gammaBelowTheBoundContracts() throws {
    let (e, bound) = try thetaErrors(gamma: nil, rounds: 2000, degree: 3)
    print("gradient mode, gamma = 0.9 x bound (\(bound)): errors \(e)")
    #expect(e.allSatisfy { $0.isFinite })
    for k in 1..<e.count { #expect(e[k] < e[k - 1]) }
    #expect(e.last.map { $0 < 1e-2 * e[0] } == true)
  }

  @Test(arguments: [(3, RunConfig.ConsensusAcceleration.none), (4, .chebyshev), (5, .chebyshev)])
  func gammaBelowTheMultiStepBoundContracts(steps: Int, acceleration: RunConfig.ConsensusAcceleration) throws {
    let (e, bound) = try thetaErrors(gamma: nil, rounds: 2000, degree: 3, steps: steps, acceleration: acceleration)
    print("gradient mode, k = \(steps) \(acceleration), gamma = 0.9 x bound (\(bound)): errors \(e)")
    #expect(e.allSatisfy { $0.isFinite })
    for k in 1..<e.count { #expect(e[k] < e[k - 1]) }
    #expect(e.last.map { $0 < 1e-2 * e[0] } == true)
  }

  /// The mixing operator's λ_min bound against its eigenvalues (grid, N = 64): every eigenvalue
  /// of W^k and p_k(W) lies at or above it.
  @Test(arguments: [(1, RunConfig.ConsensusAcceleration.none), (2, .none), (3, .none), (3, .chebyshev), (6, .chebyshev)])
  func mixingBoundIsBelowEveryEigenvalue(steps: Int, acceleration: RunConfig.ConsensusAcceleration) throws {
    let sc = try Scenario(config: Self.gridConfig(degree: 3, steps: steps, acceleration: acceleration))
    let whole = try sc.wholeGraphForTests()
    let lambdas = try mixingEigenvalues(graph: whole.graph, weights: whole.weights)
    let cheb = ChebyshevMixing(steps: steps)
    let mixed = lambdas.map { acceleration == .chebyshev ? cheb.polynomial(at: $0) : pow($0, Double(steps)) }
    let smallest = mixed.min() ?? 0
    print("mixing bound k = \(steps) \(acceleration): bound \(sc.mixingLambdaMinBound), smallest eigenvalue \(smallest)")
    #expect(sc.mixingLambdaMinBound <= smallest + 1e-12)
  }
}
