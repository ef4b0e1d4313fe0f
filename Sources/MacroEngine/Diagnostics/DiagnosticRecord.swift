/// One diagnostic round's global numbers (identical on every rank after the reductions).
public struct DiagnosticRecord: Sendable, Equatable {
  public var round: Int
  /// Exact F(x) = U(θ*(x)) + (1/N) Σ r(x_i).
  public var cost: Double
  /// RMS over agents of the projected-gradient mapping (x_i − Π(x_i − α g_i*))/α of the
  /// exact direction g_i* = J_φ(x_i)ᵀ v* + ∇r(x_i).
  public var stationarity: Double
  /// rms_i |σ_i − σ̄|.
  public var consensusSigma: Double
  /// rms_i |θ_i − θ̄|.
  public var consensusTheta: Double
  /// max_k |mean_i σ_i − s(x)|_k: zero up to round-off (dynamic average consensus).
  public var invariant: Double
  /// max_i |θ_i|.
  public var maxTheta: Double
  /// Fraction of agents with a coordinate on the box boundary.
  public var boundaryFraction: Double
  /// Non-finite entries in x, σ, θ, v.
  public var nonfinite: Int
  /// sqrt(Σ_i |g_i − g_i*|² / Σ_i |g_i*|²): distance of the agents' directions J_φᵀv_i + ∇r
  /// from the exact hypergradient directions.
  public var directionError: Double
  /// |θ* − θ̄|: how far the agents' mean estimate is from the exact lower-level solution.
  public var thetaStarError: Double
  /// Newton iterations of the redundant θ* solve.
  public var newtonIterations: Int

  public init(round: Int, cost: Double, stationarity: Double, consensusSigma: Double,
              consensusTheta: Double, invariant: Double, maxTheta: Double, boundaryFraction: Double,
              nonfinite: Int, directionError: Double, thetaStarError: Double, newtonIterations: Int) {
    self.round = round
    self.cost = cost
    self.stationarity = stationarity
    self.consensusSigma = consensusSigma
    self.consensusTheta = consensusTheta
    self.invariant = invariant
    self.maxTheta = maxTheta
    self.boundaryFraction = boundaryFraction
    self.nonfinite = nonfinite
    self.directionError = directionError
    self.thetaStarError = thetaStarError
    self.newtonIterations = newtonIterations
  }
}
