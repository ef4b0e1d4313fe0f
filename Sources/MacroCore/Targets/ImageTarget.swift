import Foundation

/// A grayscale image as a target density on X = [-1,1]² (d = 2 only), so a swarm can draw a
/// shape.
///
/// * Geometry: pixel (col, row) sits at x = −1 + 2·col/(W−1), y = +1 − 2·row/(H−1): row 0 is
///   the top edge (y = +1), column 0 the left edge (x = −1), and the pixel centres span the
///   box edge to edge. Between centres the density is bilinear; at a centre it is exactly the
///   pixel's value (coordinates within 1e-9 of a centre are snapped to it).
/// * Mass: by default DARK pixels carry the mass (a black shape drawn on white paper):
///   the value of a pixel of gray level g ∈ [0,1] is 1 − g. With `invert: true` bright pixels
///   carry it (value g). Color is reduced to luminance and alpha composited onto white first
///   (see `RasterImage.grayLevels`), so transparent pixels carry no mass unless inverted.
/// * Floor: the density is max(bilinear value, 1e-3 · max pixel value), so `logDensity` is
///   finite everywhere. An image with no mass at all (all white, or all black when inverted)
///   is refused.
/// Local.
public struct ImageTarget: TargetDensity {
  public var dimension: Int { 2 }
  public let width: Int
  public let height: Int
  /// Pixel values (unfloored), row-major, row 0 at the top.
  public let values: [Double]
  /// Floor applied to the interpolated density: `floorFraction` × max(values).
  public let floor: Double
  public let inverted: Bool

  public static let defaultFloorFraction = 1e-3

  /// Builds the target from a decoded image; `path` only names it in errors.
  public init(image: RasterImage, invert: Bool = false, path: String = "<memory>",
              floorFraction: Double = ImageTarget.defaultFloorFraction) throws(TargetError) {
    let g = image.grayLevels()
    let v = invert ? g : g.map { 1 - $0 }
    let mx = v.max() ?? 0
    guard mx > 0 else {
      throw .image(path: path, reason: invert
        ? "image carries no mass (every pixel is black; drop invert?)"
        : "image carries no mass (every pixel is white; use invert for a bright shape on black?)")
    }
    width = image.width
    height = image.height
    values = v
    floor = floorFraction * mx
    inverted = invert
  }

  /// The floored bilinear density at (x, y); points outside the box take the value at the
  /// nearest edge, and a NaN coordinate gives NaN.
  public func density(x: Double, y: Double) -> Double {
    guard !x.isNaN, !y.isNaN else { return .nan }
    let (c0, tx) = Self.cell(coordinate: (x + 1) / 2, count: width)
    let (r0, ty) = Self.cell(coordinate: (1 - y) / 2, count: height)
    let c1 = min(c0 + 1, width - 1), r1 = min(r0 + 1, height - 1)
    let top = values[r0 * width + c0] * (1 - tx) + values[r0 * width + c1] * tx
    let bottom = values[r1 * width + c0] * (1 - tx) + values[r1 * width + c1] * tx
    let v = ty == 0 ? top : top * (1 - ty) + bottom * ty
    return max(v, floor)
  }

  public func logDensity(at y: UnsafePointer<Double>) -> Double {
    log(density(x: y[0], y: y[1]))
  }

  /// Cell index and fraction for a coordinate u ∈ [0, 1] along an axis of n pixel centres.
  static func cell(coordinate u: Double, count n: Int) -> (Int, Double) {
    guard n > 1 else { return (0, 0) }
    var s = min(max(u, 0), 1) * Double(n - 1)
    let nearest = s.rounded()
    if abs(s - nearest) < 1e-9 { s = nearest }
    let i = min(Int(s), n - 2)
    return (i, s - Double(i))
  }
}
