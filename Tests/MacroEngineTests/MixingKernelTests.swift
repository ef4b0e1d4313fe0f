import Testing
import MacroEngine
import _TestSupport

/// The fast neighbour-sum kernel against its plain reference: the same bits (both add the
/// terms of every entry in row order from 0.0, the self term at its place), for m around the
/// 8-wide blocking, rows of 0 … 40 off-diagonal neighbours with random slots and weights, and
/// the self term first, inside and last.
struct MixingKernelTests {
  @Test(arguments: [1, 7, 8, 9, 15, 16, 27, 35, 64])
  func fastRowSumIsBitwiseTheReference(m: Int) {
    var rng = TestRandom(seed: UInt64(m))
    let rowsCount = 50
    let src = randomDoubles(rowsCount * m, seed: UInt64(1000 + m))
    for degree in [0, 1, 2, 5, 21, 40] {
      let slots = (0..<(degree + 3)).map { _ in Int32(Int(rng.next() % UInt64(rowsCount))) }
      let weights = randomDoubles(degree + 3, seed: UInt64(2000 + m * 100 + degree))
      let range = 3..<(3 + degree), selfSlot = Int(rng.next() % UInt64(rowsCount)), selfWeight = rng.unit()
      for selfAt in Set([range.lowerBound, range.lowerBound + degree / 2, range.upperBound]) {
        var fast = [Double](repeating: .nan, count: m), reference = fast
        src.withUnsafeBufferPointer { sp in
          slots.withUnsafeBufferPointer { rs in
            weights.withUnsafeBufferPointer { rw in
              fast.withUnsafeMutableBufferPointer { out in
                MixingKernel.rowSum(src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!, range: range,
                                    selfAt: selfAt, selfSlot: selfSlot, selfWeight: selfWeight, m: m, out: out.baseAddress!)
              }
              reference.withUnsafeMutableBufferPointer { out in
                MixingKernel.rowSumReference(src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!, range: range,
                                             selfAt: selfAt, selfSlot: selfSlot, selfWeight: selfWeight, m: m, out: out.baseAddress!)
              }
            }
          }
        }
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern), "m = \(m), degree = \(degree), self at \(selfAt)")
        #expect(fast.allSatisfy { $0.isFinite })
      }
    }
  }
}
