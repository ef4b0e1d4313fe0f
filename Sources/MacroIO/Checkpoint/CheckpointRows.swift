// CheckpointRows: one rank's rows of the persistent state, as stored in a checkpoint.
import MacroEngine

/// The owned rows of one rank, local order (row s = global id range.lowerBound + s):
/// x, x0 (count × d), sigma, theta, v (count × m). σ and θ may be the engine's own arrays,
/// whose owned rows are followed by ghost rows: only their first ``ownedSigmaThetaCount``
/// values are stored, and nothing is copied (a checkpoint of N agents would otherwise
/// allocate 2 × N/P × m doubles a rank while it is written).
public struct CheckpointRows: Sendable {
  public var x: [Double]
  public var x0: [Double]
  public var sigma: [Double]
  public var theta: [Double]
  public var v: [Double]
  /// The owned values of `sigma` and `theta` (a prefix of each).
  public private(set) var ownedSigmaThetaCount: Int

  public init(x: [Double], x0: [Double], sigma: [Double], theta: [Double], v: [Double]) {
    precondition(sigma.count == theta.count, "CheckpointRows: σ and θ differ in length")
    self.x = x
    self.x0 = x0
    self.sigma = sigma
    self.theta = theta
    self.v = v
    ownedSigmaThetaCount = sigma.count
  }

  /// The persistent rows of an engine's agents (σ, θ without the ghost rows; the arrays are
  /// shared, not copied). Local.
  public init(engine: DistributedEngine) {
    let s = engine.state
    self.init(x: s.x, x0: s.x0, sigma: [], theta: [], v: s.v)
    sigma = s.sigma
    theta = s.theta
    ownedSigmaThetaCount = s.ownedCount * s.m
  }

  /// The values stored as dataset `name` (one of ``CheckpointFormat/datasets``).
  public func rows(_ name: String) -> ArraySlice<Double> {
    switch name {
    case "x": return x[...]
    case "x0": return x0[...]
    case "sigma": return sigma[0 ..< ownedSigmaThetaCount]
    case "theta": return theta[0 ..< ownedSigmaThetaCount]
    default: return v[...]
    }
  }

  mutating func set(_ name: String, _ value: [Double]) {
    switch name {
    case "x": x = value
    case "x0": x0 = value
    case "sigma": sigma = value
    case "theta": theta = value
    default: v = value
    }
    if name == "sigma" || name == "theta" { ownedSigmaThetaCount = value.count }
  }

  /// Whether every stored value is finite. Local.
  public var isFinite: Bool {
    for name in ["x", "x0", "sigma", "theta", "v"] where !rows(name).allSatisfy({ $0.isFinite }) { return false }
    return true
  }
}
