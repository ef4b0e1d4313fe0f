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
    var pos = 2

    func isSpace(_ b: UInt8) -> Bool { b == 32 || (9...13).contains(b) }
    // Next unsigned decimal token; nil at end of data.
    func token() throws(TargetError) -> Int? {
      while pos < bytes.count {
        if bytes[pos] == UInt8(ascii: "#") {
          while pos < bytes.count, bytes[pos] != 10, bytes[pos] != 13 { pos += 1 }
        } else if isSpace(bytes[pos]) {
          pos += 1
        } else {
          break
        }
      }
      guard pos < bytes.count else { return nil }
      var v = 0, digits = 0
      while pos < bytes.count, (48...57).contains(bytes[pos]) {
        v = v * 10 + Int(bytes[pos] - 48)
        digits += 1
        pos += 1
        guard v <= 1 << 30 else { throw fail("number too large in PGM data") }
      }
      guard digits > 0 else { throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[pos])))' in PGM data") }
      return v
    }

    guard let w = try token(), let h = try token(), let maxval = try token() else {
      throw fail("truncated PGM header")
    }
    guard w >= 1, h >= 1 else { throw fail("PGM width and height must be positive (got \(w)×\(h))") }
    guard w <= 1 << 14, h <= 1 << 14 else { throw fail("PGM image too large (\(w)×\(h))") }
    guard (1...65535).contains(maxval) else { throw fail("PGM maxval \(maxval) outside 1…65535") }
    let n = w * h
    var samples = [UInt16](repeating: 0, count: n)
    if binary {
      // Exactly one whitespace byte separates maxval from the raster.
      guard pos < bytes.count, isSpace(bytes[pos]) else { throw fail("truncated PGM data (no raster)") }
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
    } else {
      for i in 0..<n {
        guard let v = try token() else { throw fail("truncated PGM data (\(i) of \(n) samples)") }
        guard v <= maxval else { throw fail("PGM sample \(v) exceeds maxval \(maxval)") }
        samples[i] = UInt16(v)
      }
    }
    return RasterImage(width: w, height: h, channels: 1, maxValue: maxval, samples: samples)
  }
}
