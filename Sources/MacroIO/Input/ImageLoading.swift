// ImageLoading: image targets from PNG/PGM files (the decoders are in this folder; MacroCore's
// RasterImage and ImageTarget work on decoded pixels only).
import Foundation
import MacroCore

/// Loads a grayscale image target (`target.kind = "image"`): dark pixels carry the mass.
/// Local.
func loadImageTarget(path: String) throws -> TargetDensity {
  try ImageTarget(path: path)
}

extension RasterImage {
  /// Reads a PNG or PGM (P2/P5) file, chosen by its first bytes.
  public static func load(path: String) throws(TargetError) -> RasterImage {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .image(path: path, reason: "cannot read the file")
    }
    return try decode([UInt8](data), path: path)
  }

  /// Decodes PNG or PGM bytes (`path` only names the source in errors).
  public static func decode(_ bytes: [UInt8], path: String) throws(TargetError) -> RasterImage {
    if bytes.starts(with: PNGDecoder.signature) { return try PNGDecoder.decode(bytes, path: path) }
    if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "2") || bytes[1] == UInt8(ascii: "5") {
      return try PGMDecoder.decode(bytes, path: path)
    }
    throw .image(path: path, reason: "not a PNG or PGM (P2/P5) file")
  }
}

extension ImageTarget {
  /// Reads a PNG or PGM file. `dimension` must be 2.
  public init(path: String, dimension: Int = 2, invert: Bool = false) throws(TargetError) {
    guard dimension == 2 else {
      throw .invalid("image targets need dimension 2 (got \(dimension))")
    }
    try self.init(image: RasterImage.load(path: path), invert: invert, path: path)
  }
}
