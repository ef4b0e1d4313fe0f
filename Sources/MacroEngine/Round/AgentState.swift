/// The persistent state of one rank's agents, in local slots (owned agents first, slot =
/// global id − first owned id; ghost rows after them for σ and θ, filled by the halo).
///
/// Persistent per owned agent: x, x⁰ (d each), σ, θ, v (m each). The round's second copy of
/// σ, θ (`sigmaNext`, `thetaNext`: the Jacobi update, swapped with σ, θ at the end of every
/// consensus step — no copies, no per-round buffers). Derived cache that a resumed run
/// recomputes bit for bit: the gradient method's μ(θ_i) + λθ_i (m; empty for Newton).
/// φ(x_i) is not cached: the move evaluates it at x_i^old anyway (with J_φ), and the
/// diagnostics evaluate it where they need it.
public final class AgentState {
  public let dimension: Int
  public let m: Int
  public let ownedCount: Int
  public let ghostCount: Int

  public var x: [Double]
  public var x0: [Double]
  /// (owned + ghost) × m
  public var sigma: [Double]
  public var theta: [Double]
  /// owned × m
  public var v: [Double]
  /// The next iterate of σ, θ ((owned + ghost) × m, so that a step ends by swapping the
  /// arrays; their ghost rows are never read). Between a Chebyshev round's steps they hold
  /// the previous iterate y_{j−1}, which the next step overwrites in place.
  var sigmaNext: [Double]
  var thetaNext: [Double]
  /// μ(θ_i) + λθ_i of the current θ_i (owned × m): the part of the gradient method's
  /// lower-level gradient that the round does not recompute. Empty for Newton.
  var gradientBase: [Double]

  public init(dimension d: Int, m: Int, ownedCount n: Int, ghostCount g: Int, cacheGradientBase: Bool = true) {
    dimension = d
    self.m = m
    ownedCount = n
    ghostCount = g
    x = [Double](repeating: 0, count: n * d)
    x0 = x
    sigma = [Double](repeating: 0, count: (n + g) * m)
    theta = sigma
    sigmaNext = sigma
    thetaNext = sigma
    v = [Double](repeating: 0, count: n * m)
    gradientBase = cacheGradientBase ? v : []
  }

  /// σ, θ ← σNext, θNext (an O(1) swap of the arrays; the old rows stay in the Next arrays,
  /// where a Chebyshev step reads them as y_{j−1}). Local.
  func swapMixed() {
    swap(&sigma, &sigmaNext)
    swap(&theta, &thetaNext)
  }

  /// Bytes of persistent state (x, x⁰, σ, θ, v and the ghost rows of σ, θ) per owned agent.
  public var persistentBytesPerAgent: Double {
    Double((x.count + x0.count + sigma.count + theta.count + v.count) * 8) / Double(max(1, ownedCount))
  }

  /// Bytes of persistent state + the round's Next arrays + caches per owned agent (ghost
  /// rows amortized): everything the engine's state holds while a round runs.
  public var bytesPerAgent: Double {
    let doubles = x.count + x0.count + sigma.count + theta.count + v.count + sigmaNext.count
      + thetaNext.count + gradientBase.count
    return Double(doubles * 8) / Double(max(1, ownedCount))
  }
}
