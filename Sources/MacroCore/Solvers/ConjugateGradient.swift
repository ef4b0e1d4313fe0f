/// Truncated conjugate gradients on a small dense SPD system H v = b (DESIGN §2 step 4: the
/// round's T warm-started iterations per agent). Local.
public enum ConjugateGradient {
  /// T CG iterations on H v = b from the v given (warm start), H row-major m×m; r, p, ap are
  /// m-vectors of scratch. Stops early when the residual is 0 or pᵀHp ≤ 0. The hot version
  /// (no allocation, pointer loops); ``solveReference`` is its plain twin.
  @inline(__always)
  public static func solve(h: UnsafePointer<Double>, b: UnsafePointer<Double>, v: UnsafeMutablePointer<Double>,
                           m: Int, iterations T: Int, r: UnsafeMutablePointer<Double>,
                           p: UnsafeMutablePointer<Double>, ap: UnsafeMutablePointer<Double>) {
    // r = b − H v, p = r.
    var rr = 0.0
    for k in 0..<m {
      var hv = 0.0
      for l in 0..<m { hv += h[k * m + l] * v[l] }
      r[k] = b[k] - hv
      p[k] = r[k]
      rr += r[k] * r[k]
    }
    for _ in 0..<T {
      if rr == 0 { break }
      var pap = 0.0
      for k in 0..<m {
        var hv = 0.0
        for l in 0..<m { hv += h[k * m + l] * p[l] }
        ap[k] = hv
        pap += p[k] * hv
      }
      if !(pap > 0) { break }
      let step = rr / pap
      var rrNew = 0.0
      for k in 0..<m {
        v[k] += step * p[k]
        r[k] -= step * ap[k]
        rrNew += r[k] * r[k]
      }
      let beta = rrNew / rr
      for k in 0..<m { p[k] = r[k] + beta * p[k] }
      rr = rrNew
    }
  }

  /// Plain reference twin of ``solve``: the textbook iteration on arrays (Dense.matVec and
  /// dot products), one value at a time. Returns the new v.
  public static func solveReference(h: [Double], b: [Double], v start: [Double], iterations T: Int) -> [Double] {
    let m = b.count
    var v = start
    let hv0 = Dense.matVec(h, v, n: m)
    var r = (0..<m).map { b[$0] - hv0[$0] }
    var p = r
    var rr = Dense.dot(r, r)
    for _ in 0..<T where rr != 0 {
      let ap = Dense.matVec(h, p, n: m)
      let pap = Dense.dot(p, ap)
      guard pap > 0 else { break }
      let alpha = rr / pap
      for k in 0..<m { v[k] += alpha * p[k] }
      for k in 0..<m { r[k] -= alpha * ap[k] }
      let rrNew = Dense.dot(r, r)
      p = (0..<m).map { r[$0] + rrNew / rr * p[$0] }
      rr = rrNew
    }
    return v
  }
}
