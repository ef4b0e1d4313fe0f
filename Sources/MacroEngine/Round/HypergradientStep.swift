import MacroCore

// Step 4 of the round (DESIGN §2) for a block of agents.
extension AgentUpdater {
  /// v_i ← T warm-started CG iterations on H(θ_i) v = ∇U(θ_i) at the new θ_i (θNext), H
  /// explicit (the fused exp-family kernel), ∇U by ``MacroCost/gradientBlock``, CG by
  /// ``ConjugateGradient/solve``. Also refreshes the gradient method's cache μ(θ_i) + λθ_i.
  /// Local.
  func hypergradientStep(count c: Int, state s: AgentState) {
    let t0 = MonotonicClock.seconds()
    gatherRows(count: c, from: s.thetaNext, into: &block)
    evaluateBlock(count: c)
    block.withUnsafeBufferPointer { bl in
      mean.withUnsafeBufferPointer { mu in
        pi.withUnsafeBufferPointer { pp in
          hess.withUnsafeBufferPointer { hp in
            featureMean.withUnsafeMutableBufferPointer { fm in
              grad.withUnsafeMutableBufferPointer { gr in
                cost.gradientBlock(family: family, count: c, theta: bl.baseAddress!, mean: mu.baseAddress!,
                                   pi: pp.baseAddress!, hessian: hp.baseAddress!, featureMean: fm.baseAddress!,
                                   workspace: ws, out: gr.baseAddress!)
              }
            }
          }
        }
      }
    }
    updateGradientBase(count: c, state: s)
    let T = parameters.cgIterations, m = self.m
    slots.withUnsafeBufferPointer { sl in
      hess.withUnsafeBufferPointer { hp in
        grad.withUnsafeBufferPointer { gr in
          s.v.withUnsafeMutableBufferPointer { vp in
            r.withUnsafeMutableBufferPointer { rp in
              p.withUnsafeMutableBufferPointer { pd in
                ap.withUnsafeMutableBufferPointer { app in
                  for a in 0..<c {
                    ConjugateGradient.solve(
                      h: hp.baseAddress! + a * m * m, b: gr.baseAddress! + a * m, v: vp.baseAddress! + sl[a] * m,
                      m: m, iterations: T, r: rp.baseAddress!, p: pd.baseAddress!, ap: app.baseAddress!)
                  }
                }
              }
            }
          }
        }
      }
    }
    cgSeconds += MonotonicClock.seconds() - t0
  }

  /// gradientBase_i ← μ(θ_i) + λθ_i from `mean` and `block` (gradient method only). Local.
  func updateGradientBase(count c: Int, state s: AgentState) {
    guard !s.gradientBase.isEmpty else { return }
    let lam = family.lambda, m = self.m
    slots.withUnsafeBufferPointer { sl in
      mean.withUnsafeBufferPointer { mu in
        block.withUnsafeBufferPointer { bl in
          s.gradientBase.withUnsafeMutableBufferPointer { gb in
            for a in 0..<c { for k in 0..<m { gb[sl[a] * m + k] = mu[a * m + k] + lam * bl[a * m + k] } }
          }
        }
      }
    }
  }
}
