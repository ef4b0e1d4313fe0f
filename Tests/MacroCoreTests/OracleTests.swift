import Testing
import _TestSupport
import MacroCore

/// The default scenario's mixture target (DESIGN §1).
func defaultMixture() throws -> GaussianMixture {
  try GaussianMixture(
    weights: [0.3, 0.3, 0.4],
    means: [[-0.45, -0.4], [0.5, -0.35], [0.05, 0.5]],
    covariances: [[[0.04, 0.015], [0.015, 0.03]], [[0.03, -0.01], [-0.01, 0.05]], [[0.06, 0], [0, 0.025]]])
}


@Suite struct OracleTests {
  /// Centralized projected gradient descent on the default target (N = 200, α = 1e-3):
  /// F decreases monotonically and ends within 10% of min_θ U after 3000 rounds.
  @Test func centralizedRunApproachesLowerBound() throws {
    let family = ExpFamily(dimension: 2, degree: 6, quadratureNodes: 40, lambda: 1e-2)
    let target = TargetMoments(target: try defaultMixture(), family: family)
    let problem = MacroProblem(family: family, cost: MacroCost(kind: .forwardKL, target: target),
                               motion: MotionCost(rho: 0))
    var oracle = CentralizedOracle(problem: problem, positions: uniformPositions(200, dimension: 2, seed: 1), alpha: 1e-3)
    let bound = CentralizedOracle.costLowerBound(problem: problem)
    var previous = Double.infinity
    var first = 0.0
    var increases = 0
    for r in 0..<3000 {
      let e = try oracle.step()
      if r == 0 { first = e.cost }
      if e.cost > previous + 1e-12 { increases += 1 }
      previous = e.cost
    }
    let final = try oracle.evaluate().cost
    print("oracle N=200: F_initial=\(first) F_final=\(final) min_theta U=\(bound) ratio=\(final / bound)")
    #expect(increases == 0)
    #expect(final <= 1.10 * bound)
    #expect(final >= bound - 1e-9)
  }
}
