import Foundation
import Testing
import MacroCore
import MacroEngine
import MPIKit
import _TestSupport

/// With α = 0 (agents frozen), σ follows σ ← Wσ exactly and θ (newton mode) tracks θ*(σ_i),
/// so their RMS consensus errors contract per round at the mixing rate ρ(W) — the
/// second-largest |eigenvalue| of W, from dense eigenvalues. With k consensus steps a round the
/// rate is ρ(W)^k, and with Chebyshev steps max |p_k(λ)| over W's non-consensus eigenvalues.
/// In-process, singleton MPI.
@Suite(.serialized) struct ConsensusRateTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let kind: RunConfig.GraphKind, n: Int, from: Int, to: Int
    var steps = 1, chebyshev = false
    var testDescription: String { "\(kind.rawValue) N=\(n) k=\(steps)\(chebyshev ? " chebyshev" : "")" }
  }

  static let cases = [
    Case(kind: .ring, n: 40, from: 150, to: 400),
    Case(kind: .grid, n: 64, from: 150, to: 400),
    Case(kind: .geometric, n: 120, from: 800, to: 1600),
    Case(kind: .ring, n: 40, from: 50, to: 130, steps: 3),
    Case(kind: .geometric, n: 120, from: 300, to: 500, steps: 3),
    Case(kind: .ring, n: 40, from: 10, to: 30, steps: 6, chebyshev: true),
    Case(kind: .geometric, n: 120, from: 30, to: 80, steps: 6, chebyshev: true),
    Case(kind: .grid, n: 64, from: 10, to: 30, steps: 4, chebyshev: true),
  ]

  @Test(arguments: cases)
  func errorsContractAtTheMixingRate(_ c: Case) throws {
    try SingletonMPI.initialize()
    var cfg = RunConfig.default
    cfg.agents.count = c.n
    cfg.graph.kind = c.kind
    cfg.graph.meanDegree = 8
    cfg.basis.degree = 4
    cfg.basis.quadratureNodes = 24
    cfg.run.alpha = 0
    cfg.run.warmup = 0
    cfg.run.consensusSteps = c.steps
    cfg.run.consensusAcceleration = c.chebyshev ? .chebyshev : .none
    let sc = try Scenario(config: cfg)
    let whole = try sc.wholeGraphForTests()
    let lambdas = try mixingEigenvalues(graph: whole.graph, weights: whole.weights)
    let cheb = ChebyshevMixing(steps: c.steps)
    let rho = c.chebyshev ? lambdas.map { abs(cheb.polynomial(at: $0)) }.max() ?? 0
                          : pow(lambdas.map(abs).max() ?? 0, Double(c.steps))
    let engine = try DistributedEngine(scenario: sc, comm: .world)
    var sigma: [Int: Double] = [:], theta: [Int: Double] = [:]
    var maxInvariant = 0.0
    while engine.round < c.to {
      try engine.step()
      if engine.round == c.from || engine.round == c.to || engine.round % 50 == 0 {
        let d = try engine.diagnostics()
        sigma[engine.round] = d.consensusSigma
        theta[engine.round] = d.consensusTheta
        maxInvariant = max(maxInvariant, d.invariant)
      }
    }
    let k = Double(c.to - c.from)
    let rs = pow(sigma[c.to]! / sigma[c.from]!, 1 / k)
    let rt = pow(theta[c.to]! / theta[c.from]!, 1 / k)
    print("consensus \(c.testDescription): predicted rate = \(rho), sigma rate = \(rs), theta rate = \(rt), 1-rho = \(1 - rho), 1-r_sigma = \(1 - rs), 1-r_theta = \(1 - rt), max invariant = \(maxInvariant)")
    #expect(abs(rs / rho - 1) <= 0.02)
    #expect(abs(rt / rho - 1) <= 0.02)
    // Stronger: the exponents agree within 5%.
    #expect(abs(log(rs) / log(rho) - 1) <= 0.05)
    #expect(abs(log(rt) / log(rho) - 1) <= 0.05)
    #expect(maxInvariant <= engine.invariantTolerance, "invariant \(maxInvariant)")
    #expect(maxInvariant <= 1e-12)
  }
}

extension Scenario {
  /// The whole graph and its weights from a one-rank scenario (its rows are all rows).
  func wholeGraphForTests() throws -> (graph: Graph, weights: ConsensusWeights) {
    precondition(comm.size == 1 && rows.ownedCount == config.agents.count, "one rank owns every row")
    let g = try Graph(offsets: rows.offsets, neighbors: rows.neighbors)
    let w = ConsensusWeights(graph: g, kind: weights.kind)
    #expect(w.weightsOffDiagonal == weights.weightsOffDiagonal && w.selfWeight == weights.selfWeight)
    return (g, w)
  }
}
