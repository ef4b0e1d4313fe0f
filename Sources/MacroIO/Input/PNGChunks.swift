/// The chunks of a PNG file the decoder uses: the IHDR fields, PLTE, tRNS (palette images
/// only) and the concatenated IDAT data. Parsing verifies every chunk's CRC-32, the IHDR
/// constraints and the chunk order; unknown ancillary chunks are skipped. Local.
import MacroCore
struct PNGChunks {
  var width = 0, height = 0, depth = 0, colorType = 0
  var palette: [UInt8] = []
  var paletteAlpha: [UInt8] = []
  var idat: [UInt8] = []

  /// Parses the chunks after the 8-byte signature (checked by the caller).
  init(_ bytes: [UInt8], path: String) throws(TargetError) {
    func fail(_ reason: String) -> TargetError { .image(path: path, reason: reason) }
    var pos = 8
    var sawHeader = false
    var sawEnd = false
    while !sawEnd {
      guard pos + 8 <= bytes.count else { throw fail("truncated PNG (missing IEND chunk)") }
      let length = Self.be32(bytes, pos)
      let typeBytes = Array(bytes[(pos + 4)..<(pos + 8)])
      let type = String(decoding: typeBytes, as: UTF8.self)
      guard length <= 0x7FFF_FFFF, pos + 12 + length <= bytes.count else {
        throw fail("truncated PNG (chunk \(type) runs past the end of the file)")
      }
      let dataRange = (pos + 8)..<(pos + 8 + length)
      let stored = UInt32(Self.be32(bytes, pos + 8 + length))
      let actual = PNGDecoder.crc32(bytes[(pos + 4)..<(pos + 8 + length)])
      guard stored == actual else {
        throw fail("bad CRC-32 in chunk \(type) (stored \(Inflate.hex(stored)), computed \(Inflate.hex(actual)))")
      }
      if !sawHeader && type != "IHDR" { throw fail("first chunk is \(type), not IHDR") }
      switch type {
      case "IHDR":
        guard !sawHeader else { throw fail("duplicate IHDR chunk") }
        guard length == 13 else { throw fail("IHDR chunk has length \(length), not 13") }
        try readHeader(bytes, at: dataRange.lowerBound, path: path)
        sawHeader = true
      case "PLTE":
        guard length % 3 == 0, length >= 3, length <= 768 else { throw fail("bad PLTE chunk length \(length)") }
        palette = Array(bytes[dataRange])
      case "tRNS":
        if sawHeader && colorType == 3 { paletteAlpha = Array(bytes[dataRange]) }
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
    guard sawHeader else { throw fail("missing IHDR chunk") }
    guard !idat.isEmpty else { throw fail("no IDAT chunk (no image data)") }
    if colorType == 3 && palette.isEmpty { throw fail("palette image without a PLTE chunk") }
  }

  /// Reads and checks the 13 bytes of IHDR data at `p`.
  private mutating func readHeader(_ bytes: [UInt8], at p: Int, path: String) throws(TargetError) {
    func fail(_ reason: String) -> TargetError { .image(path: path, reason: reason) }
    let w = Self.be32(bytes, p), h = Self.be32(bytes, p + 4)
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
    (width, height, self.depth, colorType) = (w, h, depth, ct)
  }

  /// The big-endian 32-bit integer at `p`.
  static func be32(_ bytes: [UInt8], _ p: Int) -> Int {
    Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
  }
}
