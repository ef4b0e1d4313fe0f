import MacroCore

public typealias LowerMethod = RunConfig.LowerMethod

/// The numbers one distributed round needs. Local value.
public struct RoundParameters: Sendable, Equatable {
  public var alpha: Double
  public var warmup: Int
  public var method: LowerMethod
  public var gamma: Double
  public var cgIterations: Int
  public var rho: Double
  /// Mixing steps of σ and θ a round (≥ 1).
  public var consensusSteps: Int
  /// Plain W^k or Chebyshev mixing.
  public var acceleration: RunConfig.ConsensusAcceleration

  public init(alpha: Double, warmup: Int, method: LowerMethod, gamma: Double, cgIterations: Int, rho: Double,
              consensusSteps: Int = 1, acceleration: RunConfig.ConsensusAcceleration = .none) {
    self.alpha = alpha
    self.warmup = warmup
    self.method = method
    self.gamma = gamma
    self.cgIterations = cgIterations
    self.rho = rho
    self.consensusSteps = consensusSteps
    self.acceleration = acceleration
  }
}
