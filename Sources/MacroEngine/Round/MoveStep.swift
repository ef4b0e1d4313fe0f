import MacroCore

// Step 1 of the round (DESIGN §2): the projected microscopic step.
extension AgentUpdater {
  /// Agents moved together: the basis is evaluated at their points with one point per SIMD
  /// lane (`LegendreBasis.evaluate`), so that the 1-D recurrences' division chains of eight
  /// agents overlap.
  static let moveChunk = 8

  /// Whether round `round` moves the agents (after warm-up, α ≠ 0). Local.
  func moving(round: Int) -> Bool { round >= parameters.warmup && parameters.alpha != 0 }

  /// Step 1 for the `n` ≤ `moveChunk` agents `ids`: x_i ← Π_X(x_i − α(J_φᵀv_i + ∇r)) when
  /// `moving`. Leaves φ(x_i^old) of the p-th agent at `phiOld + p·m` and φ(x_i^new) at
  /// `phiNew + p·m` (the same bits when the agents do not move: φ is evaluated point by point,
  /// with or without J_φ). Each agent's arithmetic is that of a move on its own. Local.
  /// `basis` is `family.basis`, taken once by the caller (reading it through the class per
  /// agent retains its tables).
  func moveAgents(_ ids: UnsafePointer<Int>, count n: Int, moving: Bool, basis: LegendreBasis, buffers b: MixingBuffers) {
    let alpha = parameters.alpha, rho = parameters.rho, m = self.m, d = self.d
    let pts = b.points
    for p in 0..<n { (pts + p * d).update(from: b.x + ids[p] * d, count: d) }
    guard moving else {
      basis.evaluate(points: pts, count: n, values: b.phiNew, jacobians: nil)
      b.phiOld.update(from: b.phiNew, count: n * m)
      return
    }
    basis.evaluate(points: pts, count: n, values: b.phiOld, jacobians: b.jac)
    for p in 0..<n {
      let i = ids[p], xi = b.x + i * d, vi = b.v + i * m, x0i = b.x0 + i * d, jac = b.jac + p * m * d
      for k in 0..<d {
        var gk = 0.0
        for al in 0..<m { gk += jac[al * d + k] * vi[al] }
        gk += rho * (xi[k] - x0i[k])
        xi[k] = projectToBox(xi[k] - alpha * gk)
        pts[p * d + k] = xi[k]
      }
    }
    basis.evaluate(points: pts, count: n, values: b.phiNew, jacobians: nil)
  }

  /// Calls `body(ids, n)` for `agents` in consecutive chunks of n ≤ `moveChunk` (in order).
  func forEachMoveChunk<C: Collection<Int>>(_ agents: C, _ body: (UnsafePointer<Int>, Int) -> Void) {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.moveChunk) { ids in
      let base = ids.baseAddress!
      var n = 0
      for i in agents {
        base[n] = i
        n += 1
        if n == Self.moveChunk { body(base, n); n = 0 }
      }
      if n > 0 { body(base, n) }
    }
  }

  /// A Chebyshev round's first phase, before any exchange: move every agent of `agents`
  /// (after warm-up) and inject, σ_i ← σ_i + φ(x_i^new) − φ(x_i^old) (y_0 of the
  /// recurrence). Local.
  public func moveAndInject<C: Collection<Int>>(agents: C, round: Int, state s: AgentState, rows: MixingRows) {
    let moving = moving(round: round), m = self.m
    let basis = family.basis
    withMixingBuffers(state: s, rows: rows) { b in
      forEachMoveChunk(agents) { ids, n in
        moveAgents(ids, count: n, moving: moving, basis: basis, buffers: b)
        for p in 0..<n {
          let sg = b.sigma + ids[p] * m, pn = b.phiNew + p * m, po = b.phiOld + p * m
          for k in 0..<m { sg[k] += pn[k] - po[k] }
        }
      }
    }
  }
}
