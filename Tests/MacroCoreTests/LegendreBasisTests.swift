import Testing
import _TestSupport
import MacroCore

@Suite struct LegendreBasisTests {
  static let cases: [(d: Int, K: Int)] = [(1, 8), (2, 6), (3, 4)]

  /// C(n, k) by Pascal's triangle (independent of `LegendreBasis.size`).
  func binomial(_ n: Int, _ k: Int) -> Int {
    var row = [1]
    for _ in 0..<n { row = zip([0] + row, row + [0]).map { $0 + $1 } }
    return row[k]
  }

  @Test func countIsBinomialMinusOne() {
    for d in 1...4 {
      for K in 1...8 {
        let b = LegendreBasis(dimension: d, degree: K)
        let want = binomial(K + d, d) - 1
        #expect(b.count == want, "d=\(d) K=\(K)")
        #expect(LegendreBasis.size(dimension: d, degree: K) == want)
        #expect(LegendreBasis(dimension: d, degree: K, includeConstant: true).count == want + 1)
        // Distinct multi-indices of total degree 1…K.
        let rows = (0..<b.count).map { Array(b.exponents[($0 * d)..<(($0 + 1) * d)]) }
        #expect(Set(rows).count == b.count)
        #expect(rows.allSatisfy { (1...K).contains($0.reduce(0, +)) && $0.allSatisfy { $0 >= 0 } })
      }
    }
  }

  @Test func orderingContract() {
    let b = LegendreBasis(dimension: 2, degree: 2)
    #expect(b.exponents == [1, 0, 0, 1, 2, 0, 1, 1, 0, 2])
  }

  /// Σ_q w_q φ_a(y_q) φ_b(y_q) = δ_ab with a rule exact for per-axis degree 2K.
  @Test(arguments: cases)
  func gramMatrixIsIdentity(_ c: (d: Int, K: Int)) {
    let b = LegendreBasis(dimension: c.d, degree: c.K)
    let rule = TensorQuadrature(dimension: c.d, nodesPerAxis: c.K + 1)
    let phi = b.evaluate(points: rule.nodes).values
    let m = b.count
    var worst = 0.0
    for a in 0..<m {
      for l in 0..<m {
        var s = 0.0
        for q in 0..<rule.count { s += rule.weights[q] * phi[q * m + a] * phi[q * m + l] }
        worst = max(worst, abs(s - (a == l ? 1 : 0)))
      }
    }
    #expect(worst <= 1e-13, "max |G − I| = \(worst)")
  }

  /// J_φ against central differences, h = 1e-6: ‖J_fd − J‖_F ≤ 1e-7 ‖J‖_F at random points.
  @Test(arguments: cases)
  func jacobianMatchesFiniteDifferences(_ c: (d: Int, K: Int)) {
    let b = LegendreBasis(dimension: c.d, degree: c.K)
    let d = c.d, m = b.count, h = 1e-6
    var rng = TestRandom(seed: 5)
    for _ in 0..<10 {
      let y = (0..<d).map { _ in rng.uniform(-1 + h, 1 - h) }
      let jac = b.evaluate(points: y).jacobians
      var num = 0.0, den = 0.0
      for k in 0..<d {
        var yp = y, ym = y
        yp[k] += h; ym[k] -= h
        let fp = b.evaluate(points: yp).values, fm = b.evaluate(points: ym).values
        for a in 0..<m {
          let fd = (fp[a] - fm[a]) / (2 * h)
          num += (fd - jac[a * d + k]) * (fd - jac[a * d + k])
          den += jac[a * d + k] * jac[a * d + k]
        }
      }
      #expect((num / den).squareRoot() <= 1e-7, "at \(y)")
    }
  }

  /// The Jacobian is the product of one 1-D derivative with the other 1-D values, also at ±1.
  @Test func jacobianAtTheCornerUsesTheClosedForm() {
    let b = LegendreBasis(dimension: 2, degree: 6)
    let jac = b.evaluate(points: [1, -1]).jacobians
    for a in 0..<b.count {
      let (n1, n2) = (b.exponents[2 * a], b.exponents[2 * a + 1])
      let c1 = (Double(2 * n1 + 1) / 2).squareRoot(), c2 = (Double(2 * n2 + 1) / 2).squareRoot()
      let v2 = (n2 % 2 == 0 ? 1.0 : -1.0) * c2               // p̂_n2(−1)
      let d1 = Double(n1 * (n1 + 1)) / 2 * c1                  // p̂'_n1(1)
      #expect(abs(jac[2 * a] - d1 * v2) <= 1e-13 * max(1, abs(d1 * v2)))
    }
  }

  /// The fast evaluation (table normalizations, dedicated d = 2 products, derivatives only
  /// with Jacobians) gives the bits of its plain twin `evaluateReference`, values with and
  /// without Jacobians, at random points and the corners; 40 points (five chunks of eight
  /// SIMD lanes) and 13 (a partial chunk).
  @Test(arguments: [(1, 8, 40), (2, 6, 40), (2, 6, 13), (2, 12, 40), (3, 4, 13)])
  func fastEvaluationMatchesItsTwinBitwise(_ c: (d: Int, K: Int, B: Int)) {
    let b = LegendreBasis(dimension: c.d, degree: c.K)
    let d = c.d, m = b.count, B = c.B
    var rng = TestRandom(seed: 17)
    var points = (0..<(B * d)).map { _ in rng.uniform(-1, 1) }
    for k in 0..<d { points[k] = 1; points[d + k] = -1 }
    var v = [Double](repeating: .nan, count: B * m), j = [Double](repeating: .nan, count: B * m * d)
    var vOnly = v, vRef = v, jRef = j
    points.withUnsafeBufferPointer { p in
      b.evaluate(points: p.baseAddress!, count: B, values: &v, jacobians: &j)
      vOnly.withUnsafeMutableBufferPointer { b.evaluate(points: p.baseAddress!, count: B, values: $0.baseAddress!, jacobians: nil) }
      b.evaluateReference(points: p.baseAddress!, count: B, values: &vRef, jacobians: &jRef)
    }
    #expect(v.map(\.bitPattern) == vRef.map(\.bitPattern))
    #expect(vOnly.map(\.bitPattern) == vRef.map(\.bitPattern))
    #expect(j.map(\.bitPattern) == jRef.map(\.bitPattern))
  }
}
