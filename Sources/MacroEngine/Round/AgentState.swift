/// The persistent state of one rank's agents, in local slots (owned agents first, slot =
/// global id − first owned id; ghost rows after them for σ and θ, filled by the halo).
///
/// Persistent per owned agent: x, x⁰ (d each), σ, θ, v (m each). Derived caches that a
/// resumed run recomputes bit for bit: φ(x) and μ(θ) (m each). Ghost rows: σ, θ (m each).
public final class AgentState {
  public let dimension: Int
  public let m: Int
  public let ownedCount: Int
  public let ghostCount: Int
  /// First owned global id.
  public let firstID: Int

  public var x: [Double]
  public var x0: [Double]
  /// (owned + ghost) × m
  public var sigma: [Double]
  public var theta: [Double]
  /// owned × m
  public var v: [Double]
  /// Next-round σ, θ of owned agents (Jacobi update), copied back at the end of the round.
  var sigmaNext: [Double]
  var thetaNext: [Double]
  /// Caches: φ(x_i) of owned agents, and μ(θ_i) (only kept for the gradient method, which
  /// needs μ at the previous θ_i; empty otherwise).
  var phiX: [Double]
  var meanTheta: [Double]

  public init(dimension d: Int, m: Int, ownedCount n: Int, ghostCount g: Int, firstID: Int,
              cacheMeanTheta: Bool = true) {
    dimension = d
    self.m = m
    ownedCount = n
    ghostCount = g
    self.firstID = firstID
    x = [Double](repeating: 0, count: n * d)
    x0 = x
    sigma = [Double](repeating: 0, count: (n + g) * m)
    theta = sigma
    v = [Double](repeating: 0, count: n * m)
    sigmaNext = v
    thetaNext = v
    phiX = v
    meanTheta = cacheMeanTheta ? v : []
  }

  /// Bytes of persistent state (x, x⁰, σ, θ, v and the ghost rows of σ, θ) per owned agent.
  public var persistentBytesPerAgent: Double {
    Double((x.count + x0.count + sigma.count + theta.count + v.count) * 8) / Double(max(1, ownedCount))
  }

  /// Bytes of persistent state + caches per owned agent (ghost rows amortized).
  public var bytesPerAgent: Double {
    let doubles = x.count + x0.count + sigma.count + theta.count + v.count + sigmaNext.count
      + thetaNext.count + phiX.count + meanTheta.count
    return Double(doubles * 8) / Double(max(1, ownedCount))
  }
}
