/// The nonzero pattern of the Gram coefficients c_{kl,r} = ∫ φ_k φ_l ψ_r (issue 17).
///
/// φ_k = p̂_{a_1}(y_1)…p̂_{a_d}(y_d) and ψ_r = p̂_{c_1}…p̂_{c_d} are tensor products of
/// orthonormal Legendre polynomials, so c_{kl,r} = Π_i ∫ p̂_{a_i} p̂_{b_i} p̂_{c_i}, and the
/// 1-D triple integral vanishes unless |a_i − b_i| ≤ c_i ≤ a_i + b_i and a_i + b_i + c_i is even
/// (the linearization of a product of Legendre polynomials). At d = 2, K = 6 that leaves 1,568
/// of the 34,398 entries (4.1 per Hessian entry instead of M2 = 91): the Hessian's second
/// moments cost 2·nnz flops per agent instead of the dense DGEMM's 2·M2·P. The entries outside
/// the pattern are exactly 0; the dense table computed by quadrature holds round-off there
/// (≤ 1e-15 of the largest entry), which the sparse form drops.
///
/// Stored by packed column (k ≤ l, row by row, as `gramCoefficients`' columns): the moment
/// indices r of column `col` are `rows[start[col]..<start[col + 1]]`, increasing, with their
/// coefficients in `values`.
public struct SparseGram: Sendable {
  public let start: [Int]
  public let rows: [Int]
  public let values: [Double]

  /// Number of stored coefficients.
  public var nonzeroCount: Int { rows.count }

  /// The pattern of `basis` × `basis` against `momentBasis`, values taken from the dense
  /// M2 × P table `dense` (row r, packed column col).
  public init(basis: LegendreBasis, momentBasis: LegendreBasis, dense: [Double]) {
    let d = basis.dimension, m = basis.count, M2 = momentBasis.count, P = m * (m + 1) / 2
    let a = basis.exponents, c = momentBasis.exponents
    var start = [0], rows = [Int](), values = [Double]()
    var col = 0
    for k in 0..<m {
      for l in k..<m {
        for r in 0..<M2 {
          var nonzero = true
          for i in 0..<d {
            let x = a[k * d + i], y = a[l * d + i], z = c[r * d + i]
            if z < abs(x - y) || z > x + y || (x + y + z) % 2 != 0 { nonzero = false; break }
          }
          if nonzero {
            rows.append(r)
            values.append(dense[r * P + col])
          }
        }
        start.append(rows.count)
        col += 1
      }
    }
    self.start = start
    self.rows = rows
    self.values = values
  }
}
