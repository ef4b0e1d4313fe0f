import Testing
import _TestSupport
import MacroCore

@Suite struct Legendre1DTests {
  /// Closed forms at the ends: P_n(±1) = (±1)^n, P'_n(±1) = (±1)^{n+1} n(n+1)/2, times √((2n+1)/2).
  @Test func valuesAndDerivativesAtTheEndpoints() {
    let K = 24
    for t in [1.0, -1.0] {
      let (v, d) = Legendre1D.evaluate(t, degree: K)
      for n in 0...K {
        let c = (Double(2 * n + 1) / 2).squareRoot()
        let odd = n % 2 == 1
        let wantV = (t > 0 || !odd ? 1.0 : -1.0) * c
        let wantD = (t > 0 || odd ? 1.0 : -1.0) * Double(n * (n + 1)) / 2 * c
        #expect(abs(v[n] - wantV) <= 1e-14 * abs(wantV), "P_\(n)(\(t))")
        #expect(abs(d[n] - wantD) <= 1e-13 * max(1, abs(wantD)), "P'_\(n)(\(t))")
      }
    }
  }

  @Test func lowDegreesMatchExplicitPolynomials() {
    var rng = TestRandom(seed: 11)
    for _ in 0..<20 {
      let t = rng.uniform(-1, 1)
      let (v, d) = Legendre1D.evaluate(t, degree: 3)
      let c = (0...3).map { (Double(2 * $0 + 1) / 2).squareRoot() }
      #expect(abs(v[2] - c[2] * (3 * t * t - 1) / 2) <= 1e-15)
      #expect(abs(v[3] - c[3] * (5 * t * t * t - 3 * t) / 2) <= 1e-15)
      #expect(abs(d[2] - c[2] * 3 * t) <= 1e-15)
      #expect(abs(d[3] - c[3] * (15 * t * t - 3) / 2) <= 1e-14)
    }
  }
}
