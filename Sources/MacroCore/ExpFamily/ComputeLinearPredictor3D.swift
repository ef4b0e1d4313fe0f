import BLASKit

/// Z = ΘΦᵀ by sum factorization for d = 3 (issue 17). φ_k = p̂_a ⊗ p̂_b ⊗ p̂_c, so with Θ̂_blk the
/// (K+1)³ array of agent blk's coefficients and L the n_q × (K+1) 1-D table,
/// Z_blk[q1, q2, q3] = Σ_{a,b,c} Θ̂[a,b,c] L[q1,a] L[q2,b] L[q3,c], contracted one axis at a time,
/// each contraction one NN DGEMM over the whole block with Lᵀ on the right, the other indices
/// permuted between them so that the contracted one is last:
///
///     Θ̂ [blk][b][c][a]  ·Lᵀ→  [blk][b][c][q1]  →perm→  [blk][q1][c][b]
///                       ·Lᵀ→  [blk][q1][c][q2] →perm→  [blk][q1][q2][c]
///                       ·Lᵀ→  [blk][q1][q2][q3] = Z (nodes with q3 fastest, the rule's order)
///
/// 2n(K+1)³ + 2n²(K+1)² + 2n³(K+1) flops per agent instead of 2n³m (K = 4, n_q = 12: 27,480
/// against 117,504). Every DGEMM has fixed shapes (whole blocks), so a row's bits depend only
/// on the row. `computeLinearPredictorReference` (the plain DGEMM) is the twin. Local.
extension ExpFamily {
  func computeLinearPredictor3D(theta: UnsafePointer<Double>, out z: UnsafeMutablePointer<Double>,
                                workspace ws: ExpFamilyWorkspace) {
    let B = blockSize, m = self.m, n = quadrature.nodesPerAxis, K1 = basis.degree + 1, K3 = K1 * K1 * K1
    axisTableT.withUnsafeBufferPointer { LT in
      predictorOffsets3D.withUnsafeBufferPointer { off in
        ws.thetaHat.withUnsafeMutableBufferPointer { th in
          ws.stage1.withUnsafeMutableBufferPointer { s1 in
            ws.stage1T.withUnsafeMutableBufferPointer { s1t in
              let t = th.baseAddress!, lt = LT.baseAddress!, a1 = s1.baseAddress!, a2 = s1t.baseAddress!
              // Θ̂ (entries no φ_k maps to stay 0 from the workspace's init).
              for blk in 0..<B {
                let src = theta + blk * m, tb = t + blk * K3
                for k in 0..<m { tb[off[k]] = src[k] }
              }
              // [blk][b][c][q1] = Σ_a Θ̂[blk][b][c][a] L[q1, a]
              BLAS.dgemm(.none, .none, m: B * K1 * K1, n: n, k: K1, alpha: 1, a: t, lda: K1,
                         b: lt, ldb: n, beta: 0, c: a1, ldc: n)
              // → [blk][q1][c][b]
              for blk in 0..<B {
                let src = a1 + blk * K1 * K1 * n, dst = a2 + blk * n * K1 * K1
                for b in 0..<K1 { for c in 0..<K1 { for q in 0..<n { dst[(q * K1 + c) * K1 + b] = src[(b * K1 + c) * n + q] } } }
              }
              // [blk][q1][c][q2] = Σ_b [blk][q1][c][b] L[q2, b]
              BLAS.dgemm(.none, .none, m: B * n * K1, n: n, k: K1, alpha: 1, a: a2, lda: K1,
                         b: lt, ldb: n, beta: 0, c: a1, ldc: n)
              // → [blk][q1][q2][c]
              for r in 0..<(B * n) {
                let src = a1 + r * K1 * n, dst = a2 + r * n * K1
                for c in 0..<K1 { for q in 0..<n { dst[q * K1 + c] = src[c * n + q] } }
              }
              // Z[blk][q1][q2][q3] = Σ_c [blk][q1][q2][c] L[q3, c]
              BLAS.dgemm(.none, .none, m: B * n * n, n: n, k: K1, alpha: 1, a: a2, lda: K1,
                         b: lt, ldb: n, beta: 0, c: z, ldc: n)
            }
          }
        }
      }
    }
  }
}
