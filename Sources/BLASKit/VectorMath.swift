// The vector exp and the fused log-sum-exp of CVecMath (issue 17), typed. The C kernels are
// compiled for three instruction sets and the widest this CPU has is used (chosen at load
// time); every variant gives the same bits. Plain twins: `VectorMath.expReference`,
// `logSumExpRowsReference` (glibc's scalar exp, sequential sums).
import CVecMath

public enum VectorMath {
  /// Instruction set of a kernel variant.
  public enum Variant: Int32, CaseIterable, Sendable {
    case baseline = 0, avx2 = 1, avx512 = 2
    public var name: String { String(cString: cvm_variant_name(rawValue)) }
  }

  /// The variant this process uses.
  public static var active: Variant { Variant(rawValue: cvm_active_variant()) ?? .baseline }

  /// y[j] = exp(x[j]) for j < count (within 1 ulp of glibc's exp); x may equal y. With a
  /// `variant` this CPU lacks, nothing is written and the result is false. Local.
  @discardableResult
  public static func exp(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int,
                         variant: Variant? = nil) -> Bool {
    guard let v = variant else { cvm_exp(x, y, count); return true }
    return cvm_exp_variant(v.rawValue, x, y, count) == 0
  }

  /// For `rows` rows of `z` (row r at z + r·stride, `length` values): with M the maximum of
  /// z_j + lw_j and Σ = Σ_j e^{z_j + lw_j − M}, A_r = M + log Σ into `logPartition[r]` and in
  /// place z_j ← e^{z_j + lw_j − M}/Σ (the normalized weights) — or, with `inverseSums`,
  /// z_j ← e^{z_j + lw_j − M} unscaled and 1/Σ into `inverseSums[r]` (the caller scales what it
  /// computes from the row: one pass less). A row with a non-finite maximum becomes NaN
  /// (A_r = NaN). A row's bits depend only on that row. With a `variant` this CPU lacks:
  /// false, nothing written. Local.
  @discardableResult
  public static func logSumExpRows(_ z: UnsafeMutablePointer<Double>, rows: Int, length: Int, stride: Int,
                                   logWeights lw: UnsafePointer<Double>, logPartition: UnsafeMutablePointer<Double>,
                                   inverseSums: UnsafeMutablePointer<Double>? = nil,
                                   variant: Variant? = nil) -> Bool {
    guard rows > 0 else { return true }
    guard let v = variant else {
      cvm_logsumexp_rows(z, rows, length, stride, lw, logPartition, inverseSums)
      return true
    }
    return cvm_logsumexp_rows_variant(v.rawValue, z, rows, length, stride, lw, logPartition, inverseSums) == 0
  }

  /// Reference twin of `exp`: glibc's exp element by element. Local.
  public static func expReference(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
    cvm_exp_reference(x, y, count)
  }

  /// Reference twin of `logSumExpRows`: glibc's exp, one sequential sum per row. Local.
  public static func logSumExpRowsReference(_ z: UnsafeMutablePointer<Double>, rows: Int, length: Int, stride: Int,
                                            logWeights lw: UnsafePointer<Double>,
                                            logPartition: UnsafeMutablePointer<Double>,
                                            inverseSums: UnsafeMutablePointer<Double>? = nil) {
    guard rows > 0 else { return }
    cvm_logsumexp_rows_reference(z, rows, length, stride, lw, logPartition, inverseSums)
  }
}
