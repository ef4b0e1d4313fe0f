import MacroCore

// Step 1 of the round (DESIGN §2): the projected microscopic step.
extension AgentUpdater {
  /// Whether round `round` moves the agents (after warm-up, α ≠ 0). Local.
  func moving(round: Int) -> Bool { round >= parameters.warmup && parameters.alpha != 0 }

  /// Step 1 for agent `i`: x_i ← Π_X(x_i − α(J_φᵀv_i + ∇r)) when `moving`. Leaves φ(x_i^old)
  /// in `phiOld` and φ(x_i^new) in `phiNew` (the same bits when the agent does not move: φ is
  /// evaluated point by point, with or without J_φ). Local.
  /// `basis` is `family.basis`, taken once by the caller (reading it through the class per
  /// agent retains its tables).
  func moveAgent(_ i: Int, moving: Bool, basis: LegendreBasis, buffers b: MixingBuffers) {
    let alpha = parameters.alpha, rho = parameters.rho, m = self.m, d = self.d
    let xi = b.x + i * d
    guard moving else {
      basis.evaluate(points: xi, count: 1, values: b.phiNew, jacobians: nil)
      b.phiOld.update(from: b.phiNew, count: m)
      return
    }
    basis.evaluate(points: xi, count: 1, values: b.phiOld, jacobians: b.jac)
    let vi = b.v + i * m, x0i = b.x0 + i * d
    for k in 0..<d {
      var gk = 0.0
      for al in 0..<m { gk += b.jac[al * d + k] * vi[al] }
      gk += rho * (xi[k] - x0i[k])
      xi[k] = projectToBox(xi[k] - alpha * gk)
    }
    basis.evaluate(points: xi, count: 1, values: b.phiNew, jacobians: nil)
  }

  /// A Chebyshev round's first phase, before any exchange: move every agent of `agents`
  /// (after warm-up) and inject, σ_i ← σ_i + φ(x_i^new) − φ(x_i^old) (y_0 of the
  /// recurrence). Local.
  public func moveAndInject<C: Collection<Int>>(agents: C, round: Int, state s: AgentState, rows: MixingRows) {
    let moving = moving(round: round), m = self.m
    let basis = family.basis
    withMixingBuffers(state: s, rows: rows) { b in
      for i in agents {
        moveAgent(i, moving: moving, basis: basis, buffers: b)
        let sg = b.sigma + i * m
        for k in 0..<m { sg[k] += b.phiNew[k] - b.phiOld[k] }
      }
    }
  }
}
