/// The upper-level cost U(θ) and its gradient, for one agent's θ. Local.
///
/// * forward KL:  U = KL(p_t ‖ p_θ) = E_t[log p_t] − θᵀμ_t + A(θ),  ∇U = μ(θ) − μ_t;
/// * reverse KL:  U = KL(p_θ ‖ p_t) = θᵀμ(θ) − A(θ) − E_θ[log p_t],
///                ∇U = C(θ)θ − Cov_θ(φ, log p_t).
/// The cost is named by the config's vocabulary, ``RunConfig/UpperCost`` (`upper.cost`).

public struct MacroCost: Sendable {
  public let kind: RunConfig.UpperCost
  public let target: TargetMoments

  public init(kind: RunConfig.UpperCost, target: TargetMoments) {
    self.kind = kind
    self.target = target
  }

  /// U(θ) from A(θ), μ(θ), π(θ).
  public func value(theta: [Double], logPartition A: Double, mean: [Double], pi: [Double]) -> Double {
    switch kind {
    case .forwardKL:
      var tm = 0.0
      for k in 0..<theta.count { tm += theta[k] * target.mean[k] }
      return target.expectedLogDensity - tm + A
    case .reverseKL:
      var tm = 0.0
      for k in 0..<theta.count { tm += theta[k] * mean[k] }
      var el = 0.0
      for j in 0..<pi.count { el += pi[j] * target.logDensityAtNodes[j] }
      return tm - A - el
    }
  }

  /// ∇U(θ). `hessianTimesTheta` = (C + λI)θ (only used by the reverse KL).
  public func gradient(family f: ExpFamily, theta: [Double], mean: [Double], pi: [Double],
                       hessianTimesTheta: [Double]) -> [Double] {
    let m = f.m
    switch kind {
    case .forwardKL:
      return (0..<m).map { mean[$0] - target.mean[$0] }
    case .reverseKL:
      // Cov_θ(φ, ℓ) = Σ_q π_q ℓ_q φ_q − μ E_π[ℓ]
      var el = 0.0
      var cov = [Double](repeating: 0, count: m)
      for j in 0..<f.q {
        let w = pi[j] * target.logDensityAtNodes[j]
        el += w
        for k in 0..<m { cov[k] += w * f.phi[j * m + k] }
      }
      return (0..<m).map { hessianTimesTheta[$0] - f.lambda * theta[$0] - (cov[$0] - mean[$0] * el) }
    }
  }
}

/// The optional motion cost r(x_i) = (ρ/2)|x_i − x_i⁰|². Local.
public struct MotionCost: Sendable, Equatable {
  public let rho: Double
  public init(rho: Double) { self.rho = rho }
  public func value(x: UnsafePointer<Double>, x0: UnsafePointer<Double>, dimension d: Int) -> Double {
    guard rho != 0 else { return 0 }
    var s = 0.0
    for k in 0..<d { s += (x[k] - x0[k]) * (x[k] - x0[k]) }
    return 0.5 * rho * s
  }
}
