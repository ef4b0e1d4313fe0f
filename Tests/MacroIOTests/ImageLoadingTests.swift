import Foundation
import Testing
import _TestSupport
import MacroCore
import MacroIO

/// Image targets read from files (`ImageTarget(path:)`, MacroIO's decoders).
@Suite struct ImageLoadingTests {
  func centre(col: Int, row: Int, width: Int, height: Int) -> (Double, Double) {
    (-1 + 2 * Double(col) / Double(width - 1), 1 - 2 * Double(row) / Double(height - 1))
  }

  @Test func refusesWrongDimension() {
    var caught: TargetError?
    do { _ = try ImageTarget(path: Fixtures.path("gray8-default.png"), dimension: 3) } catch { caught = error }
    #expect(caught == .invalid("image targets need dimension 2 (got 3)"))
  }

  @Test func exampleShapeLoadsAndFeedsTargetMoments() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../examples/shape.png").standardized.path
    let t = try ImageTarget(path: path)
    #expect(t.width == 128 && t.height == 128)
    // The O's ring passes through (94, 65) + (0, 33 − 6) in pixels; its hole at the centre is white.
    let (xr, yr) = centre(col: 94, row: 65 - 27, width: 128, height: 128)
    let (xh, yh) = centre(col: 94, row: 65, width: 128, height: 128)
    #expect(t.density(x: xr, y: yr) > 0.9)
    #expect(t.density(x: xh, y: yh) < 0.05)
    let f = ExpFamily(dimension: 2, degree: 2, quadratureNodes: 10, lambda: 0.01, blockSize: 1)
    let moments = TargetMoments(target: t, family: f, fineNodes: 40)
    #expect(moments.mean.allSatisfy { $0.isFinite })
    #expect(moments.expectedLogDensity.isFinite)
    // The M (left half) holds more dark pixels than the O's ring, so E[x] < 0; the first basis
    // function is φ_(1,0) = √(3/2) x, so μ_0 = √(3/2) E[x] < 0.
    #expect(moments.mean[0] < 0)
  }
}
