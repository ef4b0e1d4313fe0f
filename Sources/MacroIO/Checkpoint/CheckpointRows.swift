// CheckpointRows: one rank's rows of the persistent state, as stored in a checkpoint.
import MacroEngine

/// The owned rows of one rank, local order (row s = global id range.lowerBound + s):
/// x, x0 (count × d), sigma, theta, v (count × m).
public struct CheckpointRows: Sendable {
  public var x: [Double]
  public var x0: [Double]
  public var sigma: [Double]
  public var theta: [Double]
  public var v: [Double]

  public init(x: [Double], x0: [Double], sigma: [Double], theta: [Double], v: [Double]) {
    self.x = x
    self.x0 = x0
    self.sigma = sigma
    self.theta = theta
    self.v = v
  }

  /// The persistent rows of an engine's agents (σ, θ without the ghost rows). Local.
  public init(engine: DistributedEngine) {
    let s = engine.state, n = s.ownedCount, m = s.m
    self.init(x: s.x, x0: s.x0, sigma: Array(s.sigma[0 ..< n * m]), theta: Array(s.theta[0 ..< n * m]), v: s.v)
  }

  /// The array stored as dataset `name` (one of ``CheckpointFormat/datasets``).
  public func rows(_ name: String) -> [Double] {
    switch name {
    case "x": return x
    case "x0": return x0
    case "sigma": return sigma
    case "theta": return theta
    default: return v
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
  }

  /// Whether every value is finite. Local.
  public var isFinite: Bool {
    for a in [x, x0, sigma, theta, v] where !a.allSatisfy({ $0.isFinite }) { return false }
    return true
  }
}
