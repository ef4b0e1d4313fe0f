// Scenario+Derived: scenarios derived from a built one without rebuilding it — the gradient
// method's γ clamped to its safe bound, and the copy without the per-agent setup rows.
import MacroCore

extension Scenario {
  /// The gradient method's γ clamp: the requested γ, the safe bound and the γ used.
  public struct GammaClamp: Sendable, Equatable {
    public let requested: Double
    public let bound: Double
    public let clamped: Double
  }

  /// This scenario with `lower.gamma` clamped to 0.99 × ``gradientGammaBound`` when the
  /// gradient method's γ reaches the bound (nil clamp otherwise; the Newton method ignores γ).
  /// The bound depends on the weights, the basis and the consensus steps, not on γ, so
  /// nothing is rebuilt: only the config changes. Local (every rank computes the same).
  public func withSafeGamma() -> (scenario: Scenario, clamp: GammaClamp?) {
    guard config.lower.method == .gradient else { return (self, nil) }
    let bound = gradientGammaBound
    guard config.lower.gamma >= bound else { return (self, nil) }
    var s = self
    s.config.lower.gamma = 0.99 * bound
    return (s, GammaClamp(requested: config.lower.gamma, bound: bound, clamped: s.config.lower.gamma))
  }

  /// This scenario without its per-agent setup rows (initial positions, graph rows, weights:
  /// ≈ 16 + 8 + 12·degree + 8 bytes an agent), for holders that keep the scenario after the
  /// engine has built its halo plan, mixing rows and state from them. The scalars derived
  /// from the rows (mean degree, min self-weight, radius, initial feature mean) stay. Local.
  public func withoutAgentRows() -> Scenario {
    var s = self
    s.ownedPositions = []
    s.rows = LocalGraph(ownedRange: 0 ..< 0, owners: [], neighbors: [])
    s.weights = LocalWeights(rows: s.rows, neighborDegree: [], kind: weights.kind)
    return s
  }
}
