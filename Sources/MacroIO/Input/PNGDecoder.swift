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

    // MARK: Chunks
    let chunks = try PNGChunks(bytes, path: path)
    let w = chunks.width, h = chunks.height, depth = chunks.depth, ct = chunks.colorType

    // MARK: Decompress and unfilter
    let fileChannels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][ct] ?? 1
    let bitsPerPixel = fileChannels * depth
    let rowBytes = (w * bitsPerPixel + 7) / 8
    let bpp = max(1, bitsPerPixel / 8)
    let expected = h * (rowBytes + 1)
    let raw: [UInt8]
    do {
      raw = try Inflate.zlibDecompress(chunks.idat, sizeHint: expected, limit: expected)
    } catch {
      throw fail(error.reason)
    }
    guard raw.count >= expected else {
      throw fail("truncated image data (\(raw.count) bytes after inflate, expected \(expected))")
    }
    let pixels = try unfilter(raw, height: h, rowBytes: rowBytes, bpp: bpp, path: path)

    // MARK: Samples
    let outChannels = ct == 3 ? (chunks.paletteAlpha.isEmpty ? 3 : 4) : fileChannels
    let samples = try Self.samples(pixels, chunks, rowBytes: rowBytes, fileChannels: fileChannels,
                                   outChannels: outChannels, path: path)
    let maxValue = ct == 3 ? 255 : (1 << depth) - 1
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
