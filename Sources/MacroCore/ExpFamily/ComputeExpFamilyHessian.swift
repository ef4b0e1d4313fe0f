import Foundation
import BLASKit

extension ExpFamily {
  /// A, μ, π and the explicit Hessian H = C + λI of a block in one pass: Z = ΘΦᵀ
  /// (`computeLinearPredictor`, sum-factorized for d = 2, 3), log-sum-exp as in
  /// `computeExpFamily` but leaving the weights unscaled, e_q = w_q e^{z_q − max}, then the
  /// moments of e (`computeMoments`) times 1/Σ_q e_q — 91 products an agent instead of a pass
  /// over its Q weights — μ read off the moment columns of φ, and H by the sparse Gram.
  /// With `normalizedPi` (the reverse KL's gradient reads π) `pi` is then scaled to π_q = e_q/Σ
  /// (the bits of `computeExpFamily`'s π); without it `pi` holds e. μ and H do not depend on
  /// the flag. Shapes as in `computeExpFamily`; `hessian` is B×m×m agent-major, or with
  /// `lanesLayout` in SmallMatrix's lanes layout (`SmallMatrix.lanesCount(agents: blockSize, m:)`
  /// doubles; what the round's batched Cholesky and CG read). Local; row bits depend only on
  /// the row.
  public func computeExpFamilyWithHessian(
    theta: UnsafePointer<Double>, count: Int,
    logPartition: UnsafeMutablePointer<Double>, mean: UnsafeMutablePointer<Double>,
    pi: UnsafeMutablePointer<Double>, hessian: UnsafeMutablePointer<Double>, lanesLayout: Bool = false,
    normalizedPi: Bool = true, workspace ws: ExpFamilyWorkspace
  ) {
    precondition(count <= blockSize)
    let Q = q
    computeLinearPredictor(theta: theta, out: pi, workspace: ws)
    ws.inverseSums.withUnsafeMutableBufferPointer { inv in
      let s = inv.baseAddress!
      normalizeRows(pi, count: count, logPartition: logPartition, inverseSums: s)
      assembleHessian(pi: pi, rowScale: s, mean: mean, extractMean: true, count: count, lanesLayout: lanesLayout,
                      out: hessian, workspace: ws)
      if normalizedPi {
        for b in 0..<count {
          let row = pi + b * Q, sb = s[b]
          for j in 0..<Q { row[j] *= sb }
        }
      }
    }
  }

  /// moments = πΨ (row b times `rowScale[b]` when given), then per row
  /// H_b = Gram_b − μ_bμ_bᵀ + λI (full symmetric m×m) with the second moments
  /// Gram_b[k, l] = Σ_r c_{kl,r} moments_b[r] summed over the nonzero pattern (`gram`, ≈ 4 terms
  /// an entry; issue 17) by the vectorized C kernel (`SmallMatrix.assembleHessian`, 8 agents in
  /// vector lanes), agent-major or in the lanes layout. For d = 2 the kernel gathers each
  /// agent's moments (and scales them) straight from the J×J_p arrays of the sum factorization
  /// (`computeMomentTensor`); otherwise from `computeMoments`' rows. With `extractMean`, μ_b is
  /// the moment columns of φ (`meanColumns`), written to `mean` by the kernel; otherwise `mean`
  /// is only read. Only the `count` meaningful rows are assembled; a row's bits depend only on
  /// the row. Twins: `assembleHessianPlain` (same bits) and `computeHessianReference` (dense
  /// DGEMM). Local.
  func assembleHessian(pi: UnsafePointer<Double>, rowScale: UnsafePointer<Double>? = nil,
                       mean: UnsafeMutablePointer<Double>, extractMean: Bool,
                       count: Int, lanesLayout: Bool = false, out: UnsafeMutablePointer<Double>,
                       workspace ws: ExpFamilyWorkspace) {
    let m = self.m, M2 = momentCount
    // The moments' rows: the tensor arrays (d = 2) or `computeMoments`' B×M2 rows, scaled here.
    func assemble(_ moments: UnsafePointer<Double>, stride: Int, offsets: UnsafePointer<Int>?,
                  scale: UnsafePointer<Double>?) {
      meanColumns.withUnsafeBufferPointer { mc in
        gram.start.withUnsafeBufferPointer { st in
          gram.rows.withUnsafeBufferPointer { rw in
            gram.values.withUnsafeBufferPointer { gv in
              ws.assembleScratch.withUnsafeMutableBufferPointer { sc in
                _ = SmallMatrix.assembleHessian(
                  count: count, m: m, momentCount: M2, moments: moments, agentStride: stride, offsets: offsets,
                  scale: scale, meanColumns: extractMean ? mc.baseAddress! : nil, mean: mean, lambda: lambda,
                  start: st.baseAddress!, rows: rw.baseAddress!, values: gv.baseAddress!, lanesLayout: lanesLayout,
                  scratch: sc.baseAddress!, out: out)
              }
            }
          }
        }
      }
    }
    if usesSumFactorization {
      computeMomentTensor(pi: pi, workspace: ws)
      ws.stage2.withUnsafeBufferPointer { s2 in
        tensorPositions.withUnsafeBufferPointer { off in
          assemble(s2.baseAddress!, stride: (2 * basis.degree + 1) * paddedTableColumns, offsets: off.baseAddress!,
                   scale: rowScale)
        }
      }
    } else {
      ws.moments.withUnsafeMutableBufferPointer { mo in
        computeMoments(pi: pi, rowScale: rowScale, out: mo.baseAddress!, workspace: ws)
        assemble(mo.baseAddress!, stride: M2, offsets: nil, scale: nil)
      }
    }
  }

  /// The plain twin of `assembleHessian`'s kernel: the same sums in the same order, one agent
  /// and one entry at a time (the tests require the same bits). `moments` count × M2. Local.
  public func assembleHessianPlain(moments: UnsafePointer<Double>, mean: UnsafePointer<Double>, count: Int,
                                   out: UnsafeMutablePointer<Double>) {
    let m = self.m, M2 = momentCount, lam = lambda, st = gram.start, rw = gram.rows, gv = gram.values
    for b in 0..<count {
      let mob = moments + b * M2, mu = mean + b * m, h = out + b * m * m
      var col = 0
      for k in 0..<m {
        for l in k..<m {
          var g = 0.0
          for j in st[col]..<st[col + 1] { g += gv[j] * mob[rw[j]] }
          var v = g - mu[k] * mu[l]
          if k == l { v += lam }
          h[k * m + l] = v
          h[l * m + k] = v
          col += 1
        }
      }
    }
  }

  /// The dense twin of `assembleHessian`: packed Gram = moments · c by one DGEMM over all of
  /// `gramCoefficients` (2·M2·P flops per agent), then H_b = Gram_b − μ_bμ_bᵀ + λI. `mean` is
  /// read (μ from `computeExpFamily`). Tests compare the two. Local.
  public func computeHessianReference(pi: UnsafePointer<Double>, mean: UnsafePointer<Double>, count: Int,
                                      out: UnsafeMutablePointer<Double>, workspace ws: ExpFamilyWorkspace) {
    let B = blockSize, m = self.m, M2 = momentCount, P = packedCount, lam = lambda
    // The packed Gram lives only here (the reference path), not in every workspace.
    var packed = [Double](repeating: 0, count: B * P)
    gramCoefficients.withUnsafeBufferPointer { cc in
      ws.moments.withUnsafeMutableBufferPointer { mo in
        packed.withUnsafeMutableBufferPointer { pk in
          computeMoments(pi: pi, out: mo.baseAddress!, workspace: ws)
          BLAS.dgemm(.none, .none, m: B, n: P, k: M2, alpha: 1, a: mo.baseAddress!, lda: M2,
                     b: cc.baseAddress!, ldb: P, beta: 0, c: pk.baseAddress!, ldc: P)
          for b in 0..<count {
            let mu = mean + b * m, g = pk.baseAddress! + b * P, h = out + b * m * m
            var col = 0
            for k in 0..<m {
              for l in k..<m {
                var v = g[col] - mu[k] * mu[l]
                if k == l { v += lam }
                h[k * m + l] = v
                h[l * m + k] = v
                col += 1
              }
            }
          }
        }
      }
    }
  }

  /// Flops of the Hessian's second moments per agent: 2 per stored Gram coefficient.
  public var gramFlopsPerAgent: Double { 2 * Double(gram.nonzeroCount) }

  /// The moments πᵀΨ of a block (B×M2), row b times `rowScale[b]` when given (B values): for
  /// d = 2 by sum factorization, L2ᵀ Π_b L2 per
  /// agent as a DGEMM for the block (on `tensorTablePadded`, J_p columns) and a small one per
  /// agent (2 n_q² J + 2 n_q J² flops instead of 2 n_q² M2); otherwise
  /// one DGEMM π Ψ. Every BLAS call has fixed shapes (B·n_q rows, B·J columns), so a row's
  /// bits do not depend on its position in the block. Local.
  public func computeMoments(pi: UnsafePointer<Double>, rowScale: UnsafePointer<Double>? = nil,
                             out: UnsafeMutablePointer<Double>, workspace ws: ExpFamilyWorkspace) {
    let B = blockSize, Q = q, M2 = momentCount
    guard usesSumFactorization else {
      psi.withUnsafeBufferPointer { ps in
        BLAS.dgemm(.none, .none, m: B, n: M2, k: Q, alpha: 1, a: pi, lda: Q,
                   b: ps.baseAddress!, ldb: M2, beta: 0, c: out, ldc: M2)
      }
      if let sc = rowScale {
        for b in 0..<B { for r in 0..<M2 { out[b * M2 + r] *= sc[b] } }
      }
      return
    }
    computeMomentTensor(pi: pi, workspace: ws)
    let JJ = (2 * basis.degree + 1) * paddedTableColumns
    ws.stage2.withUnsafeBufferPointer { s2 in
      tensorPositions.withUnsafeBufferPointer { off in
        for b in 0..<B {
          let ob = out + b * M2, src = s2.baseAddress! + b * JJ
          if let sc = rowScale {
            let sb = sc[b]
            for r in 0..<M2 { ob[r] = src[off[r]] * sb }
          } else {
            for r in 0..<M2 { ob[r] = src[off[r]] }
          }
        }
      }
    }
  }

  /// d = 2: the J×J array O_b = L2ᵀ Π_b L2 of every agent of the block into `ws.stage2`
  /// (J×J_p per agent, J_p = `paddedTableColumns`; ψ_r sits at `tensorPositions[r]`): a DGEMM
  /// for the block's first stage on `tensorTablePadded`, then a small one per agent. Local.
  func computeMomentTensor(pi: UnsafePointer<Double>, workspace ws: ExpFamilyWorkspace) {
    let B = blockSize, n = quadrature.nodesPerAxis, J = 2 * basis.degree + 1, Jp = paddedTableColumns, JJ = J * Jp
    tensorTablePadded.withUnsafeBufferPointer { L in
      ws.stage1.withUnsafeMutableBufferPointer { s1 in
        ws.stage2.withUnsafeMutableBufferPointer { s2 in
          let t = s1.baseAddress!, o = s2.baseAddress!
          // T[(b,q1), c] = Σ_q2 π_b[q1, q2] L[q2, c], c < J_p (L's columns past J are zero)
          BLAS.dgemm(.none, .none, m: B * n, n: Jp, k: n, alpha: 1, a: pi, lda: n,
                     b: L.baseAddress!, ldb: Jp, beta: 0, c: t, ldc: Jp)
          // O_b[a, c] = Σ_q1 Lᵀ[a, q1] T_b[q1, c], J×J_p per agent: one small product per agent
          // reads T_b where it lies (one product for the block needed T transposed by a copy;
          // same products in the same order, same bits; 7% faster)
          tensorTableT.withUnsafeBufferPointer { LT in
            for b in 0..<B {
              BLAS.dgemm(.none, .none, m: J, n: Jp, k: n, alpha: 1, a: LT.baseAddress!, lda: n,
                         b: t + b * n * Jp, ldb: Jp, beta: 0, c: o + b * JJ, ldc: Jp)
            }
          }
        }
      }
    }
  }

  /// Σ_q π_q w_q φ(y_q) for a block (π: B×Q, w: Q node values, out: B×m), one DGEMM. Used
  /// for Cov_θ(φ, log p_t) of the reverse KL. Local.
  public func computeWeightedFeatureMean(
    pi: UnsafePointer<Double>, nodeValues w: UnsafePointer<Double>,
    out: UnsafeMutablePointer<Double>, workspace ws: ExpFamilyWorkspace
  ) {
    let B = blockSize, Q = q
    phi.withUnsafeBufferPointer { ph in
      ws.t.withUnsafeMutableBufferPointer { tb in
        let t = tb.baseAddress!
        for b in 0..<B { for j in 0..<Q { t[b * Q + j] = pi[b * Q + j] * w[j] } }
        BLAS.dgemm(.none, .none, m: B, n: m, k: Q, alpha: 1, a: t, lda: Q,
                   b: ph.baseAddress!, ldb: m, beta: 0, c: out, ldc: m)
      }
    }
  }

  /// In place: row b of `z` (B×Q) ← normalized weights π_q = w_q e^{z_q − A}, A by
  /// log-sum-exp (`VectorMath.logSumExpRows`: vector exp, two passes over the L1-resident
  /// row) — or, with `inverseSums` (B values), the unscaled w_q e^{z_q − max} and 1/Σ; padding
  /// rows (and their 1/Σ) zeroed.
  @usableFromInline
  func normalizeRows(_ z: UnsafeMutablePointer<Double>, count: Int, logPartition: UnsafeMutablePointer<Double>,
                     inverseSums: UnsafeMutablePointer<Double>? = nil) {
    let Q = q
    logWeights.withUnsafeBufferPointer { lw in
      _ = VectorMath.logSumExpRows(z, rows: count, length: Q, stride: Q, logWeights: lw.baseAddress!,
                                   logPartition: logPartition, inverseSums: inverseSums)
    }
    (z + count * Q).initialize(repeating: 0, count: (blockSize - count) * Q)
    inverseSums.map { ($0 + count).initialize(repeating: 0, count: blockSize - count) }
  }
}
