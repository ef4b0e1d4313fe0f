/// The centralized oracle (DESIGN §2): the same bilevel problem with no consensus. Each round
/// solves θ*(s(x)) by damped Newton to 1e-12, v* = H(θ*)⁻¹∇U(θ*) by Cholesky, and takes the
/// projected gradient step x_i ← Π_X(x_i − α (J_φ(x_i)ᵀ v* + ∇r(x_i))) on every agent — the
/// same step and α as the distributed scheme, with exact v*. Local (one process holds all N).
public struct CentralizedOracle: Sendable {
  public let problem: MacroProblem
  public let alpha: Double
  public private(set) var x: [Double]
  public let x0: [Double]
  public let count: Int
  /// θ*(s(x)) of the current x (warm start of the next solve).
  public private(set) var thetaStar: [Double]
  public private(set) var round = 0

  public init(problem: MacroProblem, positions: [Double], alpha: Double) {
    self.problem = problem
    self.alpha = alpha
    x = positions
    x0 = positions
    count = positions.count / problem.dimension
    thetaStar = [Double](repeating: 0, count: problem.m)
  }

  /// Exact state of the current x: s, θ*, v*, F, and the per-agent directions.
  public struct Evaluation: Sendable {
    public let solution: MacroProblem.LowerSolution
    public let adjoint: [Double]
    public let cost: Double
    public let directions: [Double]
    /// RMS over agents of the projected-gradient mapping (x − Π(x − α g))/α.
    public let stationarity: Double
  }

  public func evaluate() throws(MacroProblem.SolveError) -> Evaluation {
    try Self.evaluate(problem: problem, x: x, x0: x0, alpha: alpha, start: thetaStar)
  }

  public static func evaluate(problem: MacroProblem, x: [Double], x0: [Double], alpha: Double,
                              start: [Double]?) throws(MacroProblem.SolveError) -> Evaluation {
    let d = problem.dimension, n = x.count / d
    var s = x.withUnsafeBufferPointer { problem.sumOfFeatures(x: $0.baseAddress!, count: n) }
    for k in 0..<s.count { s[k] /= Double(n) }
    let sol = try problem.solveLowerLevel(s: s, start: start)
    let v = problem.adjoint(sol)
    var dirs = [Double](repeating: 0, count: n * d)
    var r = 0.0
    x.withUnsafeBufferPointer { xp in
      x0.withUnsafeBufferPointer { x0p in
        v.withUnsafeBufferPointer { vp in
          dirs.withUnsafeMutableBufferPointer { dp in
            problem.agentDirections(x: xp.baseAddress!, x0: x0p.baseAddress!, count: n,
                                    v: vp.baseAddress!, vStride: 0, out: dp.baseAddress!)
          }
        }
        for i in 0..<n { r += problem.motion.value(x: xp.baseAddress! + i * d, x0: x0p.baseAddress! + i * d, dimension: d) }
      }
    }
    var st = 0.0
    for j in 0..<(n * d) {
      let g = (x[j] - projectToBox(x[j] - alpha * dirs[j])) / alpha
      st += g * g
    }
    return Evaluation(solution: sol, adjoint: v, cost: problem.upperValue(sol.point) + r / Double(n),
                      directions: dirs, stationarity: (st / Double(n)).squareRoot())
  }

  /// One projected-gradient round; returns the evaluation at the x *before* the step.
  @discardableResult
  public mutating func step() throws(MacroProblem.SolveError) -> Evaluation {
    let e = try evaluate()
    thetaStar = e.solution.point.theta
    for j in 0..<x.count { x[j] = projectToBox(x[j] - alpha * e.directions[j]) }
    round += 1
    return e
  }

  /// min_θ U(θ): the lower bound on F (forward KL: convex, Newton on A(θ) − θᵀμ_t; reverse KL:
  /// damped Newton with the Hessian projected to SPD, from the forward-KL fit).
  public static func costLowerBound(problem: MacroProblem) -> Double {
    let m = problem.m
    // Forward-KL moment matching μ(θ) = μ_t with a tiny ridge for robustness.
    var theta = (try? problem.solveLowerLevel(s: problem.cost.target.mean.enumerated().map { $0.element })).map { $0.point.theta }
      ?? [Double](repeating: 0, count: m)
    if problem.cost.kind == .forwardKL {
      // Refine without the ridge: minimize A − θᵀμ_t (Hessian C, SPD in practice).
      for _ in 0..<50 {
        let p = problem.evaluate(theta)
        var g = [Double](repeating: 0, count: m)
        for k in 0..<m { g[k] = p.mean[k] - problem.cost.target.mean[k] }
        if Dense.norm(g) < 1e-12 { break }
        var h = problem.hessian(p)
        for k in 0..<m { h[k * m + k] -= problem.family.lambda }
        guard let dir = try? Dense.choleskySolve(h, g, n: m) else { break }
        var t = 1.0
        let u0 = problem.upperValue(p)
        while t > 1e-8 {
          let trial = (0..<m).map { theta[$0] - t * dir[$0] }
          if problem.upperValue(problem.evaluate(trial)) <= u0 { theta = trial; break }
          t *= 0.5
        }
        if t <= 1e-8 { break }
      }
      return problem.upperValue(problem.evaluate(theta))
    }
    // Reverse KL: projected Newton / gradient with backtracking.
    for _ in 0..<200 {
      let p = problem.evaluate(theta)
      let h = problem.hessian(p)
      let g = problem.upperGradient(p, hessian: h)
      if Dense.norm(g) < 1e-10 { break }
      let hs = (try? Dense.nearestSPD(h, n: m, floor: 1e-6)) ?? h
      let dir = (try? Dense.choleskySolve(hs, g, n: m)) ?? g
      let u0 = problem.upperValue(p)
      var t = 1.0
      var moved = false
      while t > 1e-10 {
        let trial = (0..<m).map { theta[$0] - t * dir[$0] }
        if problem.upperValue(problem.evaluate(trial)) < u0 { theta = trial; moved = true; break }
        t *= 0.5
      }
      if !moved { break }
    }
    return problem.upperValue(problem.evaluate(theta))
  }
}
