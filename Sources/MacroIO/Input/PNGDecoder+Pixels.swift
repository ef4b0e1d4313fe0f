// PNGDecoder+Pixels: undoing the scanline filters and expanding the unfiltered rows into
// 16-bit samples (palette lookups included).
import MacroCore
extension PNGDecoder {
  /// Undoes the per-row filters of the inflated data `raw` (`height` rows of a filter-type
  /// byte then `rowBytes` bytes; `bpp` bytes per complete pixel, at least 1).
  static func unfilter(_ raw: [UInt8], height h: Int, rowBytes: Int, bpp: Int,
                       path: String) throws(TargetError) -> [UInt8] {
    var pixels = [UInt8](repeating: 0, count: h * rowBytes)
    for r in 0..<h {
      let ft = raw[r * (rowBytes + 1)]
      let src = r * (rowBytes + 1) + 1, dst = r * rowBytes, up = dst - rowBytes
      for i in 0..<rowBytes {
        let x = Int(raw[src + i])
        let a = i >= bpp ? Int(pixels[dst + i - bpp]) : 0
        let b = r > 0 ? Int(pixels[up + i]) : 0
        let c = (i >= bpp && r > 0) ? Int(pixels[up + i - bpp]) : 0
        let v: Int
        switch ft {
        case 0: v = x
        case 1: v = x + a
        case 2: v = x + b
        case 3: v = x + (a + b) / 2
        case 4:
          let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
          v = x + (pa <= pb && pa <= pc ? a : (pb <= pc ? b : c))
        default: throw .image(path: path, reason: "bad PNG filter type \(ft) on row \(r)")
        }
        pixels[dst + i] = UInt8(truncatingIfNeeded: v)
      }
    }
    return pixels
  }

  /// The samples (`outChannels` a pixel, row-major) of the unfiltered rows `pixels`:
  /// `fileChannels` samples a pixel of `c.depth` bits each, palette indices looked up (with
  /// tRNS alpha as a fourth channel when present).
  static func samples(_ pixels: [UInt8], _ c: PNGChunks, rowBytes: Int, fileChannels: Int, outChannels: Int,
                      path: String) throws(TargetError) -> [UInt16] {
    let w = c.width, h = c.height, depth = c.depth, ct = c.colorType
    let palette = c.palette, paletteAlpha = c.paletteAlpha
    var samples = [UInt16](repeating: 0, count: w * h * outChannels)
    let mask = (1 << depth) - 1
    for r in 0..<h {
      let row = r * rowBytes
      for col in 0..<w {
        for ch in 0..<fileChannels {
          let k = col * fileChannels + ch  // sample index within the row
          let s: Int
          switch depth {
          case 16: s = Int(pixels[row + 2 * k]) << 8 | Int(pixels[row + 2 * k + 1])
          case 8: s = Int(pixels[row + k])
          default:
            let bit = k * depth
            s = Int(pixels[row + bit / 8]) >> (8 - depth - bit % 8) & mask
          }
          let o = (r * w + col) * outChannels
          if ct == 3 {
            guard 3 * s + 2 < palette.count else {
              throw .image(path: path, reason: "palette index \(s) outside the \(palette.count / 3)-entry palette")
            }
            for j in 0..<3 { samples[o + j] = UInt16(palette[3 * s + j]) }
            if outChannels == 4 { samples[o + 3] = s < paletteAlpha.count ? UInt16(paletteAlpha[s]) : 255 }
          } else {
            samples[o + ch] = UInt16(s)
          }
        }
      }
    }
    return samples
  }
}
