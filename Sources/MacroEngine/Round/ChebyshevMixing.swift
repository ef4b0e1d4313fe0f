import Foundation

/// The three-term recurrence of Chebyshev-accelerated consensus (Montijano et al., "Chebyshev
/// polynomials in distributed consensus applications", IEEE TSP 2013): k mixing steps apply
/// p_k(W) = T_k(W/ρ_c) / T_k(1/ρ_c) instead of W^k, via
///   y_1 = W y_0,   y_{j+1} = a_j W y_j − b_j y_{j−1},   a_j = 2 c_j / (ρ_c c_{j+1}),
///   b_j = c_{j−1} / c_{j+1},   c_j = T_j(1/ρ_c).
/// a_j − b_j = 1, so every step keeps the mean of y (p_k(1) = 1): the consensus invariant
/// holds to round-off. For every eigenvalue |λ| < 1 of W, |p_k(λ)| < 1 whatever ρ_c ∈ (0, 1)
/// is (T_k is increasing past 1 and bounded by 1 on [−1, 1]), so a wrong ρ_c only costs speed.
///
/// ρ_c = 1/cosh(2/k): every mode with |λ| ≤ ρ_c is damped by at least cosh 2 ≈ 3.8 a round, and
/// the slowest modes (λ = 1 − ε) by ≈ 1 − ε k tanh(2) coth(2/k), tanh(2) coth(2/k) ≈ 0.48 k times
/// faster than W^k (1 − ε k).
/// Local value.
public struct ChebyshevMixing: Sendable {
  public let steps: Int
  public let rate: Double
  /// (a_j, b_j) for j = 0..<steps; step 0 is (1, 0): y_1 = W y_0.
  public let coefficients: [(a: Double, b: Double)]

  public init(steps k: Int) {
    precondition(k >= 1)
    steps = k
    let rho = 1 / cosh(2 / Double(k))
    rate = rho
    var c = [1.0, 1 / rho]
    while c.count <= k { c.append(2 / rho * c[c.count - 1] - c[c.count - 2]) }
    var co: [(a: Double, b: Double)] = [(1, 0)]
    for j in 1..<k { co.append((2 * c[j] / (rho * c[j + 1]), c[j - 1] / c[j + 1])) }
    coefficients = co
  }

  /// p_k(λ) evaluated by the same recurrence (tests, and the gradient-mode γ bound).
  public func polynomial(at lambda: Double) -> Double {
    var prev = 1.0, cur = lambda
    for j in 1..<steps {
      let next = coefficients[j].a * lambda * cur - coefficients[j].b * prev
      prev = cur
      cur = next
    }
    return cur
  }
}
