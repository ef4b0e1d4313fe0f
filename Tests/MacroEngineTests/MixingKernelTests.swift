import Testing
import BLASKit
import MacroEngine
import _TestSupport

/// The fast neighbour-sum kernel (σ and θ of a row at once, every vector variant this CPU has)
/// against the plain reference on each array: the same bits (both add the terms of every
/// entry in row order from 0.0, the self term at its place), for m around the 8-wide blocking
/// and past the 32 sums the kernel keeps in registers, rows of 0 … 40 off-diagonal neighbours
/// with random slots and weights, and the self term first, inside and last.
struct MixingKernelTests {
  @Test(arguments: [1, 7, 8, 9, 15, 16, 27, 35, 64, 70])
  func fastRowSumIsBitwiseTheReference(m: Int) {
    var rng = TestRandom(seed: UInt64(m))
    let rowsCount = 50
    let srcA = randomDoubles(rowsCount * m, seed: UInt64(1000 + m)), srcB = randomDoubles(rowsCount * m, seed: UInt64(3000 + m))
    for degree in [0, 1, 2, 5, 21, 40] {
      let slots = (0..<(degree + 3)).map { _ in Int32(Int(rng.next() % UInt64(rowsCount))) }
      let weights = randomDoubles(degree + 3, seed: UInt64(2000 + m * 100 + degree))
      let range = 3..<(3 + degree), selfSlot = Int(rng.next() % UInt64(rowsCount)), selfWeight = rng.unit()
      for selfAt in Set([range.lowerBound, range.lowerBound + degree / 2, range.upperBound]) {
        var wantA = [Double](repeating: .nan, count: m), wantB = wantA
        srcA.withUnsafeBufferPointer { ap in
          srcB.withUnsafeBufferPointer { bp in
            slots.withUnsafeBufferPointer { rs in
              weights.withUnsafeBufferPointer { rw in
                wantA.withUnsafeMutableBufferPointer { out in
                  MixingKernel.rowSumReference(src: ap.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!, range: range,
                                               selfAt: selfAt, selfSlot: selfSlot, selfWeight: selfWeight, m: m, out: out.baseAddress!)
                }
                wantB.withUnsafeMutableBufferPointer { out in
                  MixingKernel.rowSumReference(src: bp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!, range: range,
                                               selfAt: selfAt, selfSlot: selfSlot, selfWeight: selfWeight, m: m, out: out.baseAddress!)
                }
                for variant in VectorMath.Variant.allCases {
                  // One guard double past each output: the kernel writes exactly m values.
                  var gotA = [Double](repeating: .nan, count: m + 1), gotB = gotA
                  let ran = gotA.withUnsafeMutableBufferPointer { oa in
                    gotB.withUnsafeMutableBufferPointer { ob in
                      NeighbourSums.rowSum2(ap.baseAddress!, bp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                           range: range, selfAt: selfAt, selfSlot: selfSlot, selfWeight: selfWeight, m: m,
                                           outA: oa.baseAddress!, outB: ob.baseAddress!, variant: variant)
                    }
                  }
                  guard ran else { continue }
                  let where_ = "m = \(m), degree = \(degree), self at \(selfAt), \(variant.name)"
                  #expect(gotA.prefix(m).map(\.bitPattern) == wantA.map(\.bitPattern), "\(where_)")
                  #expect(gotB.prefix(m).map(\.bitPattern) == wantB.map(\.bitPattern), "\(where_)")
                  #expect(gotA[m].isNaN && gotB[m].isNaN, "\(where_): wrote past m")
                }
              }
            }
          }
        }
        #expect(wantA.allSatisfy { $0.isFinite } && wantB.allSatisfy { $0.isFinite })
      }
    }
  }
}
