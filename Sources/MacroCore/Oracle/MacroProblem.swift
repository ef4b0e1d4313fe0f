/// The bilevel problem for m-dimensional (single-θ) work: the lower-level solve θ*(s), the
/// cost, the adjoint v* = H⁻¹∇U and the per-agent hypergradient direction. Used by the
/// centralized oracle and by the exact diagnostics of distributed runs (every rank solves
/// it redundantly, with the same bits). Local.
public struct MacroProblem: Sendable {
  /// Block size 1 copy of the family (no padding waste for single θ).
  public let family: ExpFamily
  public let cost: MacroCost
  public let motion: MotionCost

  public init(family: ExpFamily, cost: MacroCost, motion: MotionCost) {
    self.family = family.blockSize == 1 ? family : family.withBlockSize(1)
    self.cost = cost
    self.motion = motion
  }

  public var m: Int { family.m }
  public var dimension: Int { family.basis.dimension }

  /// A(θ), μ(θ), π(θ) at one θ.
  public struct Point: Sendable {
    public let theta: [Double]
    public let logPartition: Double
    public let mean: [Double]
    public let pi: [Double]
  }

  public func evaluate(_ theta: [Double]) -> Point {
    var a = [0.0], mean = [Double](repeating: 0, count: m), pi = [Double](repeating: 0, count: family.q)
    theta.withUnsafeBufferPointer { t in
      a.withUnsafeMutableBufferPointer { ap in
        mean.withUnsafeMutableBufferPointer { mp in
          pi.withUnsafeMutableBufferPointer { pp in
            family.computeExpFamily(theta: t.baseAddress!, count: 1, logPartition: ap.baseAddress!,
                                    mean: mp.baseAddress!, pi: pp.baseAddress!)
          }
        }
      }
    }
    return Point(theta: theta, logPartition: a[0], mean: mean, pi: pi)
  }

  /// H(θ) = C(θ) + λI (m×m).
  public func hessian(_ p: Point) -> [Double] {
    var h = [Double](repeating: 0, count: m * m)
    let ws = family.makeWorkspace()
    p.pi.withUnsafeBufferPointer { pi in
      p.mean.withUnsafeBufferPointer { mu in
        h.withUnsafeMutableBufferPointer { hp in
          family.computeHessian(pi: pi.baseAddress!, mean: mu.baseAddress!, count: 1,
                                out: hp.baseAddress!, workspace: ws)
        }
      }
    }
    return h
  }

  /// Lower-level objective L(θ) = A(θ) − θᵀs + (λ/2)|θ|² and its gradient μ + λθ − s.
  public func lowerObjective(_ p: Point, s: [Double]) -> (value: Double, gradient: [Double]) {
    let lam = family.lambda
    var v = p.logPartition
    var g = [Double](repeating: 0, count: m)
    for k in 0..<m {
      v += -p.theta[k] * s[k] + 0.5 * lam * p.theta[k] * p.theta[k]
      g[k] = p.mean[k] + lam * p.theta[k] - s[k]
    }
    return (v, g)
  }

  public struct LowerSolution: Sendable {
    public let point: Point
    public let hessian: [Double]
    /// Cholesky factor of `hessian`.
    public let factor: [Double]
    public let gradientNorm: Double
    public let iterations: Int
  }

  public enum SolveError: Error, CustomStringConvertible {
    case noConvergence(gradientNorm: Double, iterations: Int)
    case notPositiveDefinite
    public var description: String {
      switch self {
      case .noConvergence(let g, let it): return "lower-level Newton did not converge: |∇| = \(g) after \(it) iterations"
      case .notPositiveDefinite: return "lower-level Hessian not positive definite (non-finite state?)"
      }
    }
  }

  /// θ*(s) = argmin A(θ) − θᵀs + (λ/2)|θ|² by damped Newton with Armijo backtracking, to
  /// |∇| ≤ `tolerance`. Strongly convex, so it converges from any start.
  public func solveLowerLevel(s: [Double], start: [Double]? = nil, tolerance: Double = 1e-12,
                              maxIterations: Int = 200) throws(SolveError) -> LowerSolution {
    var p = evaluate(start ?? [Double](repeating: 0, count: m))
    var (f, g) = lowerObjective(p, s: s)
    var it = 0
    while true {
      let gn = Dense.norm(g)
      let h = hessian(p)
      guard let factor = try? Dense.cholesky(h, n: m) else { throw .notPositiveDefinite }
      if gn <= tolerance || !gn.isFinite {
        guard gn.isFinite else { throw .noConvergence(gradientNorm: gn, iterations: it) }
        return LowerSolution(point: p, hessian: h, factor: factor, gradientNorm: gn, iterations: it)
      }
      guard it < maxIterations else { throw .noConvergence(gradientNorm: gn, iterations: it) }
      it += 1
      let dir = Dense.choleskySolve(factor: factor, g, n: m)  // H⁻¹ g
      let slope = Dense.dot(g, dir)
      var t = 1.0
      var accepted = false
      for _ in 0..<60 {
        let trial = (0..<m).map { p.theta[$0] - t * dir[$0] }
        let tp = evaluate(trial)
        let (tf, tg) = lowerObjective(tp, s: s)
        // Armijo; in the round-off regime — where the predicted decrease t·gᵀH⁻¹g is below
        // what f can resolve — accept a step that reduces the gradient norm instead. Only
        // there: far from θ* a norm-reducing step may raise f, and taking such steps there
        // once walked the solve into a region it never left (|∇| stuck at 6 after 5000
        // iterations where Armijo steps converge in 8; the edgelist example at round 420).
        let roundOff = slope <= 1e-10 * max(1, abs(f))
        if tf <= f - 1e-4 * t * slope || (roundOff && Dense.norm(tg) < gn) {
          p = tp; f = tf; g = tg
          accepted = true
          break
        }
        t *= 0.5
      }
      if !accepted {
        // No progress possible at this precision: return if already tiny, else fail.
        if gn <= 1e3 * tolerance { return LowerSolution(point: p, hessian: h, factor: factor, gradientNorm: gn, iterations: it) }
        throw .noConvergence(gradientNorm: gn, iterations: it)
      }
    }
  }

  /// ∇U at a point (needs H for the reverse KL).
  public func upperGradient(_ p: Point, hessian h: [Double]) -> [Double] {
    let hTheta = cost.kind == .reverseKL ? Dense.matVec(h, p.theta, n: m) : []
    return cost.gradient(family: family, theta: p.theta, mean: p.mean, pi: p.pi, hessianTimesTheta: hTheta)
  }

  /// U(θ).
  public func upperValue(_ p: Point) -> Double {
    cost.value(theta: p.theta, logPartition: p.logPartition, mean: p.mean, pi: p.pi)
  }

  /// v* = H(θ*)⁻¹ ∇U(θ*) by Cholesky.
  public func adjoint(_ sol: LowerSolution) -> [Double] {
    Dense.choleskySolve(factor: sol.factor, upperGradient(sol.point, hessian: sol.hessian), n: m)
  }

  /// The agent direction g_i = J_φ(x_i)ᵀ v + ∇r(x_i) (= N ∇_{x_i}F when v = v*), for `count`
  /// agents: x, x0 (count×d), out (count×d).
  public func agentDirections(x: UnsafePointer<Double>, x0: UnsafePointer<Double>, count: Int,
                              v: UnsafePointer<Double>, vStride: Int,
                              out: UnsafeMutablePointer<Double>) {
    let d = dimension, m = self.m
    var vals = [Double](repeating: 0, count: m), jac = [Double](repeating: 0, count: m * d)
    vals.withUnsafeMutableBufferPointer { vb in
      jac.withUnsafeMutableBufferPointer { jb in
        for i in 0..<count {
          family.basis.evaluate(points: x + i * d, count: 1, values: vb.baseAddress!, jacobians: jb.baseAddress!)
          let vi = v + i * vStride
          for k in 0..<d {
            var s = 0.0
            for a in 0..<m { s += jb[a * d + k] * vi[a] }
            out[i * d + k] = s + motion.rho * (x[i * d + k] - x0[i * d + k])
          }
        }
      }
    }
  }

  /// Σ_i φ(x_i) over `count` agents (x: count×d), accumulated in agent order.
  public func sumOfFeatures(x: UnsafePointer<Double>, count: Int) -> [Double] {
    var s = [Double](repeating: 0, count: m), vals = s
    vals.withUnsafeMutableBufferPointer { vb in
      for i in 0..<count {
        family.basis.evaluate(points: x + i * dimension, count: 1, values: vb.baseAddress!, jacobians: nil)
        for k in 0..<m { s[k] += vb[k] }
      }
    }
    return s
  }
}

/// The box projection Π_X (clip to [-1,1]). Local.
@inlinable
public func projectToBox(_ v: Double) -> Double { min(1, max(-1, v)) }
