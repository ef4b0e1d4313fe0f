import Foundation
import Testing
import _TestSupport
import BLASKit

/// The vector exp and fused log-sum-exp against their plain twins (glibc's scalar exp,
/// sequential sums), and every variant this CPU supports against the others (same bits).
@Suite struct VectorMathTests {
  /// Distance in representable doubles (0 for equal values or two NaNs).
  static func ulps(_ a: Double, _ b: Double) -> UInt64 {
    if a == b || (a.isNaN && b.isNaN) { return 0 }
    if a.isNaN || b.isNaN || a.sign != b.sign { return .max }
    let x = a.bitPattern, y = b.bitPattern
    return x > y ? x - y : y - x
  }

  /// What the log-sum-exp kernel sees (z − max ≤ 0): [−750, 0] uniformly, dense near 0, the
  /// subnormal range (−745.13 < x < −708.4), exactly representable special points, and −inf;
  /// plus the rest of exp's range (up to overflow) for the general entry point.
  static let arguments: [Double] = {
    let u = randomDoubles(200_000, seed: 17)
    var x = u.map { 375 * ($0 - 1) }                      // [−750, 0)
    x += u.prefix(50_000).map { 1e-3 * $0 }                // around 0
    x += u.prefix(50_000).map { -727 + 19 * $0 }           // the subnormal results
    x += u.prefix(50_000).map { 355 * ($0 + 1) }           // [0, 710)
    let ln2Half = 0.34657359027997264
    let specials: [Double] = [0, -0.0, -Double.infinity, Double.infinity, -745.1332191019411, -745.1332191019412,
                              -708.3964185322641, -708.3964185322642, 709.782712893384, 709.7827128933841,
                              1e-300, -1e-300, -1000, 1000, Double.ulpOfOne, -Double.ulpOfOne, ln2Half, -ln2Half]
    x += specials
    return x
  }()

  @Test func expWithinOneUlpOfGlibc() {
    let x = Self.arguments, n = x.count
    var y = [Double](repeating: 0, count: n), r = y
    VectorMath.exp(x, into: &y, count: n)
    VectorMath.expReference(x, into: &r, count: n)
    var worst: UInt64 = 0, at = 0
    for j in 0..<n where Self.ulps(y[j], r[j]) > worst { worst = Self.ulps(y[j], r[j]); at = j }
    #expect(worst <= 1, "exp(\(x[at])) = \(y[at]), glibc \(r[at]): \(worst) ulps")
    // Specials exactly.
    #expect(r[n - 16] == 0 && y[n - 16] == 0)              // −inf
    #expect(y[n - 15] == .infinity && y[n - 5] == .infinity)
    var nan = [Double.nan], out = [0.0]
    VectorMath.exp(&nan, into: &out, count: 1)
    #expect(out[0].isNaN)
    // In place gives the same bits.
    var z = x
    z.withUnsafeMutableBufferPointer { _ = VectorMath.exp($0.baseAddress!, into: $0.baseAddress!, count: n) }
    #expect(z.map(\.bitPattern) == y.map(\.bitPattern))
  }

  @Test func everyVariantGivesTheSameBits() {
    let x = Self.arguments, n = x.count
    var base = [Double](repeating: 0, count: n)
    #expect(VectorMath.exp(x, into: &base, count: n, variant: .baseline))
    #expect(VectorMath.Variant.allCases.contains(VectorMath.active))
    for v in VectorMath.Variant.allCases {
      var y = [Double](repeating: 0, count: n)
      guard VectorMath.exp(x, into: &y, count: n, variant: v) else { continue }  // CPU lacks it
      #expect(y.map(\.bitPattern) == base.map(\.bitPattern), "exp variant \(v.name)")
      // Log-sum-exp rows of odd lengths (tails of the 8 lanes) too.
      for q in [1, 7, 8, 13, 1600] {
        let rows = 3, z0 = randomDoubles(rows * q, seed: UInt64(q)).map { 40 * $0 }, lw = randomDoubles(q, seed: 5)
        var z1 = z0, z2 = z0, a1 = [0.0, 0, 0], a2 = a1
        #expect(VectorMath.logSumExpRows(&z1, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a1, variant: .baseline))
        #expect(VectorMath.logSumExpRows(&z2, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a2, variant: v))
        #expect(z1.map(\.bitPattern) == z2.map(\.bitPattern) && a1.map(\.bitPattern) == a2.map(\.bitPattern),
                "log-sum-exp variant \(v.name), q = \(q)")
      }
    }
  }

  /// π and A against the twin. Each π_j = e_j / s: e_j within 1 ulp of glibc, and s (a sum of
  /// q positive terms, 8 lanes vs sequential) within (q − 1)·ε relative of the exact sum for
  /// both, so |Δπ_j| / π_j ≤ 2(q − 1)ε + 4ε — plus the rounding of the exponent: the kernel
  /// shifts by max z + max lw, the twin by max (z + lw), so the two round x_j = z_j + lw_j − shift
  /// differently, by up to ε|x_j| each, and exp turns that into a relative ε|x_j| (its condition
  /// number; x_j ≈ 0 for the weights that matter, |x_j| in the hundreds in the far tail of the
  /// peaked rows). A = shift + log s differs by at most the relative error of s (absolute) plus
  /// one rounding of A and of the shift.
  @Test(arguments: [1, 5, 8, 40, 1600])
  func logSumExpMatchesReference(q: Int) {
    let rows = 4, stride = q + 3, eps = Double.ulpOfOne
    // Rows from flat to very peaked (the tail of exp underflows to 0 for the last ones).
    var z0 = [Double](repeating: 0, count: rows * stride)
    let u = randomDoubles(rows * stride, seed: 9)
    for r in 0..<rows { for j in 0..<stride { z0[r * stride + j] = [0.1, 10, 300, 2000][r] * u[r * stride + j] } }
    let lw = randomDoubles(q, seed: 11).map { -3 + $0 }
    var z1 = z0, z2 = z0, a1 = [Double](repeating: 0, count: rows), a2 = a1
    VectorMath.logSumExpRows(&z1, rows: rows, length: q, stride: stride, logWeights: lw, logPartition: &a1)
    VectorMath.logSumExpRowsReference(&z2, rows: rows, length: q, stride: stride, logWeights: lw, logPartition: &a2)
    let bound = 2 * Double(q - 1) * eps + 4 * eps
    for r in 0..<rows {
      var sum = 0.0
      for j in 0..<q {
        let (p1, p2) = (z1[r * stride + j], z2[r * stride + j])
        // |x_j| ≤ |log π_j| + log q; below the normal range (where the two shifts put the
        // underflow threshold apart) the results agree to the subnormal spacing only.
        let x = p2 > 0 ? abs(log(p2)) : 746
        let tol = bound + 2 * eps * (x + log(Double(q)) + 1)
        #expect(abs(p1 - p2) <= tol * p2 + Double.leastNormalMagnitude, "row \(r) j \(j): \(p1) vs \(p2)")
        sum += p1
      }
      #expect(abs(sum - 1) <= Double(q + 1) * eps + bound)
      #expect(abs(a1[r] - a2[r]) <= bound + 4 * eps * abs(a2[r]), "A row \(r): \(a1[r]) vs \(a2[r])")
      // The stride padding is untouched.
      for j in q..<stride { #expect(z1[r * stride + j] == z0[r * stride + j]) }
    }
  }

  /// With `inverseSums` the rows are left unscaled: every variant's e_j · (1/Σ) is its scaled
  /// π_j bit for bit with the same A, and agrees with the glibc twin's unscaled mode within
  /// the bound of `logSumExpMatchesReference` (the two shift differently, so e_j and 1/Σ alone
  /// differ by a constant factor; their product is the weight).
  @Test(arguments: [1, 13, 1600])
  func unscaledRowsTimesTheInverseSumAreTheWeights(q: Int) {
    let rows = 3, eps = Double.ulpOfOne
    let z0 = randomDoubles(rows * q, seed: UInt64(q + 1)).map { 60 * $0 }, lw = randomDoubles(q, seed: 4).map { -2 + $0 }
    for v in VectorMath.Variant.allCases {
      var zs = z0, zu = z0, zr = z0, a1 = [Double](repeating: 0, count: rows), a2 = a1, a3 = a1
      var inv = [Double](repeating: 0, count: rows), invRef = inv
      guard VectorMath.logSumExpRows(&zs, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a1,
                                     variant: v) else { continue }
      #expect(VectorMath.logSumExpRows(&zu, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a2,
                                       inverseSums: &inv, variant: v))
      VectorMath.logSumExpRowsReference(&zr, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a3,
                                        inverseSums: &invRef)
      #expect(a1.map(\.bitPattern) == a2.map(\.bitPattern), "A, variant \(v.name)")
      let bound = 2 * Double(q - 1) * eps + 4 * eps
      for r in 0..<rows {
        for j in 0..<q {
          let i = r * q + j, want = zr[i] * invRef[r]
          #expect((zu[i] * inv[r]).bitPattern == zs[i].bitPattern, "row \(r) j \(j), variant \(v.name)")
          let tol = bound + 2 * eps * ((want > 0 ? abs(log(want)) : 746) + log(Double(q)) + 1) + 2 * eps
          #expect(abs(zu[i] * inv[r] - want) <= tol * want + Double.leastNormalMagnitude, "row \(r) j \(j)")
        }
      }
    }
  }

  @Test func nonFiniteRowsBecomeNaN() {
    let q = 9
    var z = [Double](repeating: 0.5, count: 3 * q), a = [0.0, 0, 0]
    z[q + 4] = .nan                 // row 1: one NaN among finite values → NaN through the sums
    for j in 0..<q { z[2 * q + j] = .nan }   // row 2: all NaN
    z[3] = .infinity                // row 0: +inf max
    let lw = [Double](repeating: 0, count: q)
    VectorMath.logSumExpRows(&z, rows: 3, length: q, stride: q, logWeights: lw, logPartition: &a)
    #expect(a.allSatisfy { $0.isNaN })
    #expect(z.allSatisfy { $0.isNaN })
  }
}
