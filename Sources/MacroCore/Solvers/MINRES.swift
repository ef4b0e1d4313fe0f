/// MINRES (Paige–Saunders) for a symmetric, possibly indefinite system A x = b, with A given
/// as a product. Stops after `maxIterations` or when the residual estimate ≤ tol·‖b‖. Local.
public enum MINRES {
  public static func solve(
    _ apply: ([Double]) -> [Double], b: [Double], x0: [Double]? = nil,
    tolerance: Double = 1e-12, maxIterations: Int = 500
  ) -> (x: [Double], residualNorm: Double, iterations: Int) {
    let n = b.count
    var x = x0 ?? [Double](repeating: 0, count: n)
    let ax = apply(x)
    var r1 = (0..<n).map { b[$0] - ax[$0] }
    var y = r1
    let bnorm = max(Dense.norm(b), 1e-300)
    var beta = Dense.norm(r1)
    if beta <= tolerance * bnorm { return (x, beta, 0) }
    var oldb = 0.0, dbar = 0.0, epsln = 0.0, phibar = beta
    var cs = -1.0, sn = 0.0
    var w = [Double](repeating: 0, count: n), w2 = w
    var r2 = r1
    var it = 0
    while it < maxIterations {
      it += 1
      let v = y.map { $0 / beta }
      y = apply(v)
      if it >= 2 { for i in 0..<n { y[i] -= (beta / oldb) * r1[i] } }
      let alfa = Dense.dot(v, y)
      for i in 0..<n { y[i] -= (alfa / beta) * r2[i] }
      r1 = r2
      r2 = y
      oldb = beta
      beta = Dense.norm(y)
      let oldeps = epsln
      let delta = cs * dbar + sn * alfa
      let gbar = sn * dbar - cs * alfa
      epsln = sn * beta
      dbar = -cs * beta
      let gamma = max((gbar * gbar + beta * beta).squareRoot(), 1e-300)
      cs = gbar / gamma
      sn = beta / gamma
      let phi = cs * phibar
      phibar = sn * phibar
      let w1 = w2
      w2 = w
      for i in 0..<n { w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma }
      for i in 0..<n { x[i] += phi * w[i] }
      if abs(phibar) <= tolerance * bnorm || beta == 0 { break }
    }
    let ax2 = apply(x)
    return (x, Dense.norm((0..<n).map { b[$0] - ax2[$0] }), it)
  }
}
