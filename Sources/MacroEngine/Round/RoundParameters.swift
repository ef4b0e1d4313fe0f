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

  public init(alpha: Double, warmup: Int, method: LowerMethod, gamma: Double, cgIterations: Int, rho: Double) {
    self.alpha = alpha
    self.warmup = warmup
    self.method = method
    self.gamma = gamma
    self.cgIterations = cgIterations
    self.rho = rho
  }
}
