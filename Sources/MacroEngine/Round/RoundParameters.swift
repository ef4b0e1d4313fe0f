import MacroCore

/// Lower-level update of the distributed round (DESIGN §2 step 3).
public enum LowerMethod: String, Sendable, CaseIterable {
  /// θ_i ← m_i − η_i H(m_i)⁻¹(μ(m_i) + λm_i − σ_i), damped when the Newton decrement > 1/4.
  case newton
  /// θ_i ← m_i − γ(μ(θ_i) + λθ_i − σ_i).
  case gradient
}

/// The numbers one distributed round needs. Local value.
public struct RoundParameters: Sendable, Equatable {
  public var alpha: Double
  public var warmup: Int
  public var method: LowerMethod
  public var gamma: Double
  public var cgIterations: Int
  public var rho: Double

  public init(alpha: Double, warmup: Int, method: LowerMethod, gamma: Double, cgIterations: Int, rho: Double) {
    self.alpha = alpha
    self.warmup = warmup
    self.method = method
    self.gamma = gamma
    self.cgIterations = cgIterations
    self.rho = rho
  }
}
