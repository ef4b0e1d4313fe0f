/// PNG decoder in plain Swift (no libpng/zlib): non-interlaced images of color type
/// gray (bit depth 1, 2, 4, 8, 16), gray + alpha (8, 16), RGB (8, 16), RGBA (8, 16) and palette
/// (1, 2, 4, 8; a tRNS chunk adds alpha, giving RGBA). Chunk CRC-32s and the zlib Adler-32 are
/// verified; the five scanline filters are undone. tRNS for gray/RGB images (a single
/// transparent color) is ignored. Local.
import MacroCore
public enum PNGDecoder {
  public static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

  public static func decode(_ bytes: [UInt8], path: String) throws(TargetError) -> RasterImage {
    func fail(_ reason: String) -> TargetError { .image(path: path, reason: reason) }
    guard bytes.starts(with: signature) else { throw fail("not a PNG file (bad signature)") }

    func be32(_ p: Int) -> Int {
      Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
    }

    // MARK: Chunks
    var pos = 8
    var header: (width: Int, height: Int, depth: Int, colorType: Int)?
    var palette: [UInt8] = []
    var paletteAlpha: [UInt8] = []
    var idat: [UInt8] = []
    var sawEnd = false
    while !sawEnd {
      guard pos + 8 <= bytes.count else { throw fail("truncated PNG (missing IEND chunk)") }
      let length = be32(pos)
      let typeBytes = Array(bytes[(pos + 4)..<(pos + 8)])
      let type = String(decoding: typeBytes, as: UTF8.self)
      guard length <= 0x7FFF_FFFF, pos + 12 + length <= bytes.count else {
        throw fail("truncated PNG (chunk \(type) runs past the end of the file)")
      }
      let dataRange = (pos + 8)..<(pos + 8 + length)
      let stored = UInt32(be32(pos + 8 + length))
      let actual = crc32(bytes[(pos + 4)..<(pos + 8 + length)])
      guard stored == actual else {
        throw fail("bad CRC-32 in chunk \(type) (stored \(Inflate.hex(stored)), computed \(Inflate.hex(actual)))")
      }
      if header == nil && type != "IHDR" { throw fail("first chunk is \(type), not IHDR") }
      switch type {
      case "IHDR":
        guard header == nil else { throw fail("duplicate IHDR chunk") }
        guard length == 13 else { throw fail("IHDR chunk has length \(length), not 13") }
        let p = dataRange.lowerBound
        let w = be32(p), h = be32(p + 4)
        let depth = Int(bytes[p + 8]), ct = Int(bytes[p + 9])
        let compression = bytes[p + 10], filter = bytes[p + 11], interlace = bytes[p + 12]
        guard w >= 1, h >= 1 else { throw fail("PNG width and height must be positive (got \(w)×\(h))") }
        guard w <= 1 << 14, h <= 1 << 14 else { throw fail("PNG image too large (\(w)×\(h))") }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[ct] else { throw fail("unsupported PNG color type \(ct)") }
        guard depths.contains(depth) else {
          throw fail("unsupported PNG bit depth \(depth) for color type \(ct)")
        }
        guard compression == 0 else { throw fail("unsupported PNG compression method \(compression)") }
        guard filter == 0 else { throw fail("unsupported PNG filter method \(filter)") }
        guard interlace == 0 else { throw fail("unsupported PNG interlace method \(interlace) (only non-interlaced images are read)") }
        header = (w, h, depth, ct)
      case "PLTE":
        guard length % 3 == 0, length >= 3, length <= 768 else { throw fail("bad PLTE chunk length \(length)") }
        palette = Array(bytes[dataRange])
      case "tRNS":
        if header?.colorType == 3 { paletteAlpha = Array(bytes[dataRange]) }
      case "IDAT":
        idat.append(contentsOf: bytes[dataRange])
      case "IEND":
        sawEnd = true
      default:
        // Ancillary chunks (first letter lowercase) may be skipped; critical ones may not.
        if let f = typeBytes.first, f & 0x20 == 0 { throw fail("unknown critical PNG chunk \(type)") }
      }
      pos += 12 + length
    }
    guard let (w, h, depth, ct) = header else { throw fail("missing IHDR chunk") }
    guard !idat.isEmpty else { throw fail("no IDAT chunk (no image data)") }
    if ct == 3 && palette.isEmpty { throw fail("palette image without a PLTE chunk") }

    // MARK: Decompress and unfilter
    let fileChannels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][ct] ?? 1
    let bitsPerPixel = fileChannels * depth
    let rowBytes = (w * bitsPerPixel + 7) / 8
    let bpp = max(1, bitsPerPixel / 8)
    let expected = h * (rowBytes + 1)
    let raw: [UInt8]
    do {
      raw = try Inflate.zlibDecompress(idat, sizeHint: expected, limit: expected)
    } catch {
      throw fail(error.reason)
    }
    guard raw.count >= expected else {
      throw fail("truncated image data (\(raw.count) bytes after inflate, expected \(expected))")
    }
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
        default: throw fail("bad PNG filter type \(ft) on row \(r)")
        }
        pixels[dst + i] = UInt8(truncatingIfNeeded: v)
      }
    }

    // MARK: Samples
    let outChannels = ct == 3 ? (paletteAlpha.isEmpty ? 3 : 4) : fileChannels
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
              throw fail("palette index \(s) outside the \(palette.count / 3)-entry palette")
            }
            for j in 0..<3 { samples[o + j] = UInt16(palette[3 * s + j]) }
            if outChannels == 4 { samples[o + 3] = s < paletteAlpha.count ? UInt16(paletteAlpha[s]) : 255 }
          } else {
            samples[o + ch] = UInt16(s)
          }
        }
      }
    }
    let maxValue = ct == 3 ? 255 : mask
    return RasterImage(width: w, height: h, channels: outChannels, maxValue: maxValue, samples: samples)
  }

  /// CRC-32 (ISO 3309 / PNG), as stored after each chunk over its type and data.
  public static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }

  static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }
}
