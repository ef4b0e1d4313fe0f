import Foundation
import Testing
import _TestSupport
import MacroCore

@Suite struct ImageTargetTests {
  /// A 4×3 gray image (maxval 255): row 0 = top.
  static let pixels: [UInt16] = [
    0, 64, 128, 255,
    30, 90, 200, 10,
    255, 255, 100, 50,
  ]
  static let image = RasterImage(width: 4, height: 3, channels: 1, maxValue: 255, samples: pixels)

  func centre(col: Int, row: Int, width: Int = 4, height: Int = 3) -> (Double, Double) {
    (-1 + 2 * Double(col) / Double(width - 1), 1 - 2 * Double(row) / Double(height - 1))
  }

  @Test func darkPixelsCarryTheMassAndCentresAreExact() throws {
    let t = try ImageTarget(image: Self.image)
    #expect(t.dimension == 2)
    #expect(t.floor == 1e-3 * 1.0)  // the black pixel has value 1
    for row in 0..<3 {
      for col in 0..<4 {
        let (x, y) = centre(col: col, row: row)
        let want = max(1 - Double(Self.pixels[row * 4 + col]) / 255, t.floor)
        #expect(t.density(x: x, y: y) == want, "pixel (\(col), \(row))")
      }
    }
    // Corners: top-left is pixel (0,0) (black: full mass), bottom-right pixel (3,2).
    #expect(t.density(x: -1, y: 1) == 1)
    #expect(t.density(x: 1, y: -1) == 1 - 50.0 / 255)
    // White pixels sit on the floor.
    #expect(t.density(x: -1, y: -1) == t.floor)
    var y = [-1.0, -1.0]
    #expect(t.logDensity(at: &y) == log(t.floor))
  }

  @Test func invertMakesBrightPixelsCarryTheMass() throws {
    let t = try ImageTarget(image: Self.image, invert: true)
    #expect(t.inverted)
    #expect(t.density(x: -1, y: -1) == 1)
    #expect(t.density(x: -1, y: 1) == t.floor)
    let (x, y) = centre(col: 2, row: 1)
    #expect(t.density(x: x, y: y) == 200.0 / 255)
  }

  @Test func interpolatesBilinearly() throws {
    let t = try ImageTarget(image: Self.image)
    let v = { (c: Int, r: Int) in 1 - Double(Self.pixels[r * 4 + c]) / 255 }
    // Midpoint of an edge between two centres, then the centre of a cell.
    let (x1, y1) = centre(col: 1, row: 1), (x2, _) = centre(col: 2, row: 1), (_, y2) = centre(col: 1, row: 2)
    #expect(abs(t.density(x: (x1 + x2) / 2, y: y1) - (v(1, 1) + v(2, 1)) / 2) <= 1e-15)
    #expect(abs(t.density(x: x1, y: (y1 + y2) / 2) - (v(1, 1) + v(1, 2)) / 2) <= 1e-15)
    let four = (v(1, 1) + v(2, 1) + v(1, 2) + v(2, 2)) / 4
    #expect(abs(t.density(x: (x1 + x2) / 2, y: (y1 + y2) / 2) - four) <= 1e-15)
    // A general point: the tensor of the two 1-D weights.
    let fx = 0.3, fy = 0.8
    let x = x1 + fx * (x2 - x1), y = y1 + fy * (y2 - y1)
    let want = (1 - fy) * ((1 - fx) * v(1, 1) + fx * v(2, 1)) + fy * ((1 - fx) * v(1, 2) + fx * v(2, 2))
    #expect(abs(t.density(x: x, y: y) - want) <= 1e-14)
    // Outside the box the edge value continues (clamped); NaN propagates.
    #expect(t.density(x: -1.5, y: 1.5) == t.density(x: -1, y: 1))
    #expect(t.density(x: .nan, y: 0).isNaN)
  }

  @Test func refusesEmptyImages() {
    let white = RasterImage(width: 2, height: 2, channels: 1, maxValue: 255, samples: [255, 255, 255, 255])
    var caught: TargetError?
    do { _ = try ImageTarget(image: white) } catch { caught = error }
    if case .image(_, let reason)? = caught { #expect(reason.contains("no mass")) } else { Issue.record("expected an image error, got \(String(describing: caught))") }
    #expect((try? ImageTarget(image: white, invert: true)) != nil)
  }
}
