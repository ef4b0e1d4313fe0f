import Foundation

/// A decoded raster image: `height` rows of `width` pixels, row 0 at the top, each pixel
/// `channels` interleaved samples in 0…`maxValue`, exactly as stored in the file (palette
/// images are expanded through their palette). Channel layouts: 1 = gray, 2 = gray + alpha,
/// 3 = RGB, 4 = RGBA. Local.
public struct RasterImage: Sendable, Equatable {
  public let width: Int
  public let height: Int
  public let channels: Int
  /// 255 for 8-bit PNG, 65535 for 16-bit, 2^depth − 1 for 1/2/4-bit, the PGM maxval.
  public let maxValue: Int
  /// `height × width × channels`, row-major.
  public let samples: [UInt16]

  public init(width: Int, height: Int, channels: Int, maxValue: Int, samples: [UInt16]) {
    precondition(width >= 1 && height >= 1 && (1...4).contains(channels) && maxValue >= 1)
    precondition(samples.count == width * height * channels)
    self.width = width
    self.height = height
    self.channels = channels
    self.maxValue = maxValue
    self.samples = samples
  }

  /// Gray levels in [0, 1] (0 = black, 1 = white), row-major, row 0 at the top. Color is
  /// converted to luminance 0.299 R + 0.587 G + 0.114 B; alpha is composited onto white paper
  /// (a transparent pixel is white).
  public func grayLevels() -> [Double] {
    let n = width * height, c = channels, mv = Double(maxValue)
    var g = [Double](repeating: 0, count: n)
    for p in 0..<n {
      let s = p * c
      let v: Double
      switch c {
      case 1, 2: v = Double(samples[s]) / mv
      default:
        v = (0.299 * Double(samples[s]) + 0.587 * Double(samples[s + 1])
             + 0.114 * Double(samples[s + 2])) / mv
      }
      if c == 2 || c == 4 {
        let a = Double(samples[s + c - 1]) / mv
        g[p] = a * v + (1 - a)
      } else {
        g[p] = v
      }
    }
    return g
  }
}
