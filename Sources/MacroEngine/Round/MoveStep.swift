import MacroCore

// Step 1 of the round (DESIGN §2): the projected microscopic step.
extension AgentUpdater {
  /// Whether round `round` moves the agents (after warm-up, α ≠ 0). Local.
  func moving(round: Int) -> Bool { round >= parameters.warmup && parameters.alpha != 0 }

  /// Step 1 for agent `i`: x_i ← Π_X(x_i − α(J_φᵀv_i + ∇r)) when `moving`. Leaves φ(x_i^old)
  /// in `phiOld` and φ(x_i^new) in `phiNew` (the same bits when the agent does not move: φ is
  /// evaluated point by point, with or without J_φ). Local.
  func moveAgent(_ i: Int, moving: Bool, state s: AgentState) {
    let alpha = parameters.alpha, rho = parameters.rho, m = self.m, d = self.d
    s.x.withUnsafeMutableBufferPointer { xp in
      guard moving else {
        phiNew.withUnsafeMutableBufferPointer { vp in
          family.basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: vp.baseAddress!, jacobians: nil)
        }
        phiOld.withUnsafeMutableBufferPointer { po in po.baseAddress!.update(from: phiNew, count: m) }
        return
      }
      jac.withUnsafeMutableBufferPointer { jp in
        phiOld.withUnsafeMutableBufferPointer { vp in
          family.basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: vp.baseAddress!, jacobians: jp.baseAddress!)
        }
      }
      jac.withUnsafeBufferPointer { jp in
        s.v.withUnsafeBufferPointer { vp in
          s.x0.withUnsafeBufferPointer { x0 in
            for k in 0..<d {
              var gk = 0.0
              for al in 0..<m { gk += jp[al * d + k] * vp[i * m + al] }
              gk += rho * (xp[i * d + k] - x0[i * d + k])
              xp[i * d + k] = projectToBox(xp[i * d + k] - alpha * gk)
            }
          }
        }
      }
      phiNew.withUnsafeMutableBufferPointer { vp in
        family.basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: vp.baseAddress!, jacobians: nil)
      }
    }
  }

  /// A Chebyshev round's first phase, before any exchange: move every agent of `agents`
  /// (after warm-up) and inject, σ_i ← σ_i + φ(x_i^new) − φ(x_i^old) (y_0 of the
  /// recurrence). Local.
  public func moveAndInject<C: Collection<Int>>(agents: C, round: Int, state s: AgentState) {
    let moving = moving(round: round), m = self.m
    for i in agents {
      moveAgent(i, moving: moving, state: s)
      phiNew.withUnsafeBufferPointer { pn in
        phiOld.withUnsafeBufferPointer { po in
          s.sigma.withUnsafeMutableBufferPointer { sg in
            for k in 0..<m { sg[i * m + k] += pn[k] - po[k] }
          }
        }
      }
    }
  }
}
