import Testing
import MacroEngine
import _TestSupport

/// The fast neighbour-sum kernel against its plain reference: the same bits (both add the
/// terms of every entry in row order from 0.0), for m around the 8-wide blocking and rows of
/// 1 … 40 neighbours with random slots and weights.
struct MixingKernelTests {
  @Test(arguments: [1, 7, 8, 9, 15, 16, 27, 35, 64])
  func fastRowSumIsBitwiseTheReference(m: Int) {
    var rng = TestRandom(seed: UInt64(m))
    let rowsCount = 50
    let src = randomDoubles(rowsCount * m, seed: UInt64(1000 + m))
    for degree in [1, 2, 5, 21, 40] {
      let slots = (0..<degree).map { _ in Int32(Int(rng.next() % UInt64(rowsCount))) }
      let weights = randomDoubles(degree, seed: UInt64(2000 + m * 100 + degree))
      var fast = [Double](repeating: .nan, count: m), reference = fast
      src.withUnsafeBufferPointer { sp in
        slots.withUnsafeBufferPointer { rs in
          weights.withUnsafeBufferPointer { rw in
            fast.withUnsafeMutableBufferPointer { out in
              MixingKernel.rowSum(src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                  range: 0..<degree, m: m, out: out.baseAddress!)
            }
            reference.withUnsafeMutableBufferPointer { out in
              MixingKernel.rowSumReference(src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                           range: 0..<degree, m: m, out: out.baseAddress!)
            }
          }
        }
      }
      #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern), "m = \(m), degree = \(degree)")
      #expect(fast.allSatisfy { $0.isFinite })
    }
  }
}
