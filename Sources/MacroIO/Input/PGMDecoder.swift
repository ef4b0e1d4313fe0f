/// Netpbm graymap decoder: P2 (plain/ASCII) and P5 (binary; 1 byte per sample when
/// maxval < 256, else 2 bytes big-endian, maxval ≤ 65535). `#` comments are skipped in the
/// header (and between P2 samples). Only the first image of a multi-image file is read. Local.
import MacroCore
public enum PGMDecoder {
  public static func decode(_ bytes: [UInt8], path: String) throws(TargetError) -> RasterImage {
    func fail(_ reason: String) -> TargetError { .image(path: path, reason: reason) }
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
          bytes[1] == UInt8(ascii: "2") || bytes[1] == UInt8(ascii: "5") else {
      throw fail("not a PGM file (expected magic P2 or P5)")
    }
    let binary = bytes[1] == UInt8(ascii: "5")
    var tokens = PGMTokenizer(bytes: bytes, path: path, pos: 2)
    guard let w = try tokens.token(), let h = try tokens.token(), let maxval = try tokens.token() else {
      throw fail("truncated PGM header")
    }
    guard w >= 1, h >= 1 else { throw fail("PGM width and height must be positive (got \(w)×\(h))") }
    guard w <= 1 << 14, h <= 1 << 14 else { throw fail("PGM image too large (\(w)×\(h))") }
    guard (1...65535).contains(maxval) else { throw fail("PGM maxval \(maxval) outside 1…65535") }
    let samples = binary ? try binaryRaster(bytes, at: tokens.pos, count: w * h, maxval: maxval, path: path)
                         : try plainRaster(&tokens, count: w * h, maxval: maxval)
    return RasterImage(width: w, height: h, channels: 1, maxValue: maxval, samples: samples)
  }

  /// The P5 raster after the header ending at `start`.
  private static func binaryRaster(_ bytes: [UInt8], at start: Int, count n: Int, maxval: Int,
                                   path: String) throws(TargetError) -> [UInt16] {
    func fail(_ reason: String) -> TargetError { .image(path: path, reason: reason) }
    var samples = [UInt16](repeating: 0, count: n)
    var pos = start
    // Exactly one whitespace byte separates maxval from the raster.
    guard pos < bytes.count, PGMTokenizer.isSpace(bytes[pos]) else { throw fail("truncated PGM data (no raster)") }
    pos += 1
    let bps = maxval < 256 ? 1 : 2
    guard bytes.count - pos >= n * bps else {
      throw fail("truncated PGM data (\(bytes.count - pos) raster bytes, expected \(n * bps))")
    }
    for i in 0..<n {
      let v = bps == 1 ? Int(bytes[pos + i]) : Int(bytes[pos + 2 * i]) << 8 | Int(bytes[pos + 2 * i + 1])
      guard v <= maxval else { throw fail("PGM sample \(v) exceeds maxval \(maxval)") }
      samples[i] = UInt16(v)
    }
    return samples
  }

  /// The P2 raster: `n` more tokens.
  private static func plainRaster(_ tokens: inout PGMTokenizer, count n: Int, maxval: Int) throws(TargetError) -> [UInt16] {
    var samples = [UInt16](repeating: 0, count: n)
    for i in 0..<n {
      guard let v = try tokens.token() else {
        throw .image(path: tokens.path, reason: "truncated PGM data (\(i) of \(n) samples)")
      }
      guard v <= maxval else { throw .image(path: tokens.path, reason: "PGM sample \(v) exceeds maxval \(maxval)") }
      samples[i] = UInt16(v)
    }
    return samples
  }
}
