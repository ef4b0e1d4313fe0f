// `macroopt bench`'s vector-math lines (issue 17): the vector exp and the fused log-sum-exp of
// a Z row (Q = 1600 nodes, what the round does per agent), in ns per element, against glibc's
// scalar exp and the plain reference loop measured in the same process.
import BLASKit
import Foundation
import MacroCore
import MacroEngine

struct VectorMathRates {
  var exp = 0.0, expReference = 0.0, logSumExp = 0.0, logSumExpReference = 0.0
  var variant = VectorMath.active

  /// ns per element of each kernel over `rows` rows of `q` values (best of repeated sweeps,
  /// at least `seconds` each); arguments in [−40, 0], the range of z − max in the round.
  static func measure(q: Int = 1600, rows: Int = 64, seconds: Double) -> VectorMathRates {
    let n = q * rows
    let x = (0..<n).map { -40 * CounterRNG.uniform(seed: 5, id: UInt64($0), stream: 98, index: 0) }
    let lw = (0..<q).map { log(1e-4 * (1 + Double($0 % 7))) }
    var y = [Double](repeating: 0, count: n), a = [Double](repeating: 0, count: rows)
    func best(_ body: () -> Void) -> Double { Bench.measure(seconds: seconds, body) / Double(n) * 1e9 }
    var r = VectorMathRates()
    r.exp = best { VectorMath.exp(x, into: &y, count: n) }
    r.expReference = best { VectorMath.expReference(x, into: &y, count: n) }
    // The row is refreshed from x before each sweep (a copy, ≈ 0.1 ns per element, included).
    r.logSumExp = best {
      y.withUnsafeMutableBufferPointer { yp in
        yp.baseAddress!.update(from: x, count: n)
        VectorMath.logSumExpRows(yp.baseAddress!, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a)
      }
    }
    r.logSumExpReference = best {
      y.withUnsafeMutableBufferPointer { yp in
        yp.baseAddress!.update(from: x, count: n)
        VectorMath.logSumExpRowsReference(yp.baseAddress!, rows: rows, length: q, stride: q, logWeights: lw, logPartition: &a)
      }
    }
    return r
  }

  var lines: [String] {
    [String(format: "vector exp (%@): %.2f ns per element (glibc scalar exp %.2f ns, %.1fx)",
            variant.name, exp, expReference, expReference / exp),
     String(format: "fused log-sum-exp of a Z row (Q = 1600, incl. exp): %.2f ns per element (plain loop with glibc exp %.2f ns, %.1fx)",
            logSumExp, logSumExpReference, logSumExpReference / logSumExp)]
  }
}
