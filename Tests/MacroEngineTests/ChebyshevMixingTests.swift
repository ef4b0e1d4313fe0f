import Foundation
import Testing
import MacroEngine

/// The Chebyshev recurrence against the closed form T_k(λ/ρ_c)/T_k(1/ρ_c) (T_k(x) = cos(k acos x)
/// on [−1, 1], cosh(k acosh |x|)·sign^k outside), and the properties the engine relies on.
struct ChebyshevMixingTests {
  static func chebyshevT(_ k: Int, _ x: Double) -> Double {
    if abs(x) <= 1 { return cos(Double(k) * acos(x)) }
    let v = cosh(Double(k) * acosh(abs(x)))
    return x < 0 && k % 2 == 1 ? -v : v
  }

  @Test(arguments: [2, 3, 4, 7, 20, 30, 60])
  func recurrenceMatchesTheClosedForm(k: Int) {
    let c = ChebyshevMixing(steps: k)
    #expect(abs(c.rate - 1 / cosh(2 / Double(k))) <= 1e-15)
    let norm = Self.chebyshevT(k, 1 / c.rate)
    var worst = 0.0
    for t in 0...400 {
      let lambda = -1 + 2 * Double(t) / 400
      let exact = Self.chebyshevT(k, lambda / c.rate) / norm
      worst = max(worst, abs(c.polynomial(at: lambda) - exact))
    }
    // Both sides are O(1) sums of k terms; acos/acosh lose ~1e-13 near |x| = 1.
    #expect(worst <= 1e-11, "k = \(k): max |recurrence − closed form| = \(worst)")
  }

  /// a_j − b_j = 1 (each step keeps the mean: the consensus invariant), p_k(1) = 1, and
  /// |p_k(λ)| < 1 for |λ| < 1 — the rounds contract every non-consensus mode whatever ρ(W) is;
  /// on [−ρ_c, ρ_c] by at least cosh 2.
  @Test(arguments: [2, 5, 30])
  func stepsKeepTheMeanAndContract(k: Int) {
    let c = ChebyshevMixing(steps: k)
    #expect(c.coefficients.count == k)
    for (a, b) in c.coefficients { #expect(abs(a - b - 1) <= 1e-14) }
    #expect(abs(c.polynomial(at: 1) - 1) <= 1e-13)
    var inside = 0.0, outside = 0.0
    for t in 1..<2000 {
      let lambda = -1 + 2 * Double(t) / 2000
      let p = abs(c.polynomial(at: lambda))
      if abs(lambda) <= c.rate { inside = max(inside, p) } else { outside = max(outside, p) }
    }
    #expect(inside <= 1 / cosh(2.0) + 1e-12, "k = \(k): max on [−ρ_c, ρ_c] = \(inside)")
    #expect(outside < 1, "k = \(k): max outside = \(outside)")
    // The slowest modes: λ = 1 − ε decays like 1 − ε p'(1), p'(1) = k tanh(2) coth(2/k)
    // (≈ k² tanh(2)/2), not 1 − ε k (plain W^k): a speed-up of tanh(2) coth(2/k) ≈ 0.48 k.
    let eps = 1e-7
    let gain = (1 - c.polynomial(at: 1 - eps)) / (1 - pow(1 - eps, Double(k)))
    let predicted = tanh(2.0) / tanh(2 / Double(k))
    #expect(abs(gain / predicted - 1) <= 1e-3, "k = \(k): speed-up \(gain), predicted \(predicted)")
  }
}
