import BLASKit

/// ∇U for a block of agents: the round's form of ``MacroCost/gradient(family:theta:mean:pi:hessianTimesTheta:)``
/// (which stays the plain reference twin; `MacroCostBlockTests` compares them).
extension MacroCost {
  /// Whether `gradientBlock` reads the normalized weights π (the reverse KL); the forward KL
  /// needs only μ, so the round leaves π unscaled for it.
  public var readsWeights: Bool { kind == .reverseKL }

  /// ∇U(θ_b) for the first `count` agents of a block, from what the fused exp-family kernel
  /// leaves (`computeExpFamilyWithHessian`): θ (B×m), μ (B×m), π (B×Q), H = C + λI (B×m×m,
  /// or in SmallMatrix's lanes layout with `hessianLanes`, upper triangle read).
  /// `featureMean` is B×m scratch (the reverse KL's Σ_q π_q ℓ_q φ_q, one DGEMM for the block).
  /// Writes `out` (B×m, first `count` rows):
  /// forward KL μ − μ_t; reverse KL Hθ − λθ − (Σ_q π_q ℓ_q φ_q − μ E_π[ℓ]) = Cθ − Cov_θ(φ, ℓ).
  /// Local; row bits depend only on the row.
  public func gradientBlock(family f: ExpFamily, count c: Int, theta: UnsafePointer<Double>,
                            mean: UnsafePointer<Double>, pi: UnsafePointer<Double>, hessian: UnsafePointer<Double>,
                            hessianLanes: Bool = false, featureMean: UnsafeMutablePointer<Double>,
                            workspace ws: ExpFamilyWorkspace, out: UnsafeMutablePointer<Double>) {
    let m = f.m, Q = f.q, lam = f.lambda
    switch kind {
    case .forwardKL:
      target.mean.withUnsafeBufferPointer { tm in
        for a in 0..<c { for k in 0..<m { out[a * m + k] = mean[a * m + k] - tm[k] } }
      }
    case .reverseKL:
      target.logDensityAtNodes.withUnsafeBufferPointer { lq in
        f.computeWeightedFeatureMean(pi: pi, nodeValues: lq.baseAddress!, out: featureMean, workspace: ws)
        for a in 0..<c {
          let th = theta + a * m, mu = mean + a * m
          var el = 0.0
          for j in 0..<Q { el += pi[a * Q + j] * lq[j] }
          for k in 0..<m {
            var ht = 0.0
            for l in 0..<m {
              let i = hessianLanes ? SmallMatrix.lanesIndex(agent: a, row: min(k, l), column: max(k, l), m: m) : (a * m + k) * m + l
              ht += hessian[i] * th[l]
            }
            out[a * m + k] = ht - lam * th[k] - (featureMean[a * m + k] - mu[k] * el)
          }
        }
      }
    }
  }
}
