import BLASKit
import MacroCore

// Steps 3–4 of the round for a block of agents (DESIGN §2). The per-agent loops run on buffer
// pointers taken once per block, so they carry no dynamic exclusivity checks or bounds checks
// per element (issue 17); the arithmetic, and its order, is that of the plain loops.
extension AgentUpdater {
  /// Step 3: Newton or gradient update of θ from the mixed estimate in `block` and σ_i in
  /// `sigBlock`; `previousTheta` holds θ_i (rows by local slot) whose μ the gradient method
  /// has cached.
  func lowerLevelStep(count c: Int, state s: AgentState, previousTheta: [Double]) {
    let lam = family.lambda, m = self.m
    switch parameters.method {
    case .gradient:
      let gamma = parameters.gamma
      slots.withUnsafeBufferPointer { sl in
        s.meanTheta.withUnsafeBufferPointer { mt in
          previousTheta.withUnsafeBufferPointer { pt in
            block.withUnsafeBufferPointer { bl in
              sigBlock.withUnsafeBufferPointer { sb in
                s.thetaNext.withUnsafeMutableBufferPointer { tn in
                  for a in 0..<c {
                    let i = sl[a]
                    for k in 0..<m {
                      let grad = mt[i * m + k] + lam * pt[i * m + k] - sb[a * m + k]
                      tn[i * m + k] = bl[a * m + k] - gamma * grad
                    }
                  }
                }
              }
            }
          }
        }
      }
    case .newton:
      evaluateBlock(count: c)
      var failed = 0
      slots.withUnsafeBufferPointer { sl in
        mean.withUnsafeBufferPointer { mu in
          block.withUnsafeBufferPointer { bl in
            sigBlock.withUnsafeBufferPointer { sb in
              hess.withUnsafeMutableBufferPointer { hp in
                g.withUnsafeMutableBufferPointer { gp in
                  dir.withUnsafeMutableBufferPointer { dp in
                    s.thetaNext.withUnsafeMutableBufferPointer { tn in
                      for a in 0..<c {
                        let i = sl[a], ga = gp.baseAddress!, d = dp.baseAddress!, t = tn.baseAddress! + i * m
                        for k in 0..<m { ga[k] = mu[a * m + k] + lam * bl[a * m + k] - sb[a * m + k] }
                        let h = hp.baseAddress! + a * m * m
                        var ok = true
                        do { try LAPACK.dpotrf(n: m, a: h, lda: m) } catch { ok = false }
                        var dec = 0.0
                        if ok {
                          d.update(from: ga, count: m)
                          try? LAPACK.dpotrs(n: m, nrhs: 1, a: h, lda: m, b: d, ldb: m)
                          for k in 0..<m { dec += ga[k] * d[k] }
                        }
                        if !ok || !(dec >= 0) {
                          failed += 1
                          for k in 0..<m { t[k] = .nan }
                          continue
                        }
                        let delta = dec.squareRoot()
                        let eta = delta > 0.25 ? 1 / (1 + delta) : 1
                        for k in 0..<m { t[k] = bl[a * m + k] - eta * d[k] }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      failures += failed
    }
  }

  /// Step 4: T warm-started CG iterations on H(θ_i) v = ∇U(θ_i), with H explicit (moment
  /// identity), per agent.
  func hypergradientStep(count c: Int, state s: AgentState) {
    let t0 = MonotonicClock.seconds()
    let m = self.m
    slots.withUnsafeBufferPointer { sl in
      s.thetaNext.withUnsafeBufferPointer { tn in
        block.withUnsafeMutableBufferPointer { bl in
          for a in 0..<c { (bl.baseAddress! + a * m).update(from: tn.baseAddress! + sl[a] * m, count: m) }
        }
      }
    }
    evaluateBlock(count: c)
    if cost.kind == .reverseKL {
      pi.withUnsafeBufferPointer { pp in
        cost.target.logDensityAtNodes.withUnsafeBufferPointer { lp in
          cov.withUnsafeMutableBufferPointer { cp in
            family.computeWeightedFeatureMean(pi: pp.baseAddress!, nodeValues: lp.baseAddress!,
                                              out: cp.baseAddress!, workspace: ws)
          }
        }
      }
    }
    let T = parameters.cgIterations, lam = family.lambda, Q = self.Q, reverse = cost.kind == .reverseKL
    let keepMean = !s.meanTheta.isEmpty
    slots.withUnsafeBufferPointer { sl in
      mean.withUnsafeBufferPointer { mu in
        block.withUnsafeBufferPointer { bl in
          hess.withUnsafeBufferPointer { hp in
            pi.withUnsafeBufferPointer { pp in
              cov.withUnsafeBufferPointer { cv in
                cost.target.mean.withUnsafeBufferPointer { tm in
                  cost.target.logDensityAtNodes.withUnsafeBufferPointer { lq in
                    s.meanTheta.withUnsafeMutableBufferPointer { mt in
                      s.v.withUnsafeMutableBufferPointer { vp in
                        g.withUnsafeMutableBufferPointer { gp in
                          r.withUnsafeMutableBufferPointer { rp in
                            p.withUnsafeMutableBufferPointer { pd in
                              ap.withUnsafeMutableBufferPointer { app in
                                for a in 0..<c {
                                  let i = sl[a], h = hp.baseAddress! + a * m * m, mua = mu.baseAddress! + a * m
                                  let th = bl.baseAddress! + a * m, b = gp.baseAddress!
                                  if keepMean { (mt.baseAddress! + i * m).update(from: mua, count: m) }
                                  // b = ∇U(θ_i).
                                  if reverse {
                                    var el = 0.0
                                    for j in 0..<Q { el += pp[a * Q + j] * lq[j] }
                                    for k in 0..<m {
                                      var ht = 0.0
                                      for l in 0..<m { ht += h[k * m + l] * th[l] }
                                      b[k] = ht - lam * th[k] - (cv[a * m + k] - mua[k] * el)
                                    }
                                  } else {
                                    for k in 0..<m { b[k] = mua[k] - tm[k] }
                                  }
                                  AgentUpdater.conjugateGradient(
                                    h: h, b: b, v: vp.baseAddress! + i * m, m: m, iterations: T,
                                    r: rp.baseAddress!, p: pd.baseAddress!, ap: app.baseAddress!)
                                }
                              }
                            }
                          }
                        }
                      }
                    }
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

  /// T CG iterations on H v = b from the v given (warm start), H row-major m×m; r, p, ap are
  /// m-vectors of scratch. Stops early when the residual is 0 or pᵀHp ≤ 0. Local.
  @inline(__always)
  static func conjugateGradient(h: UnsafePointer<Double>, b: UnsafePointer<Double>, v: UnsafeMutablePointer<Double>,
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
}
