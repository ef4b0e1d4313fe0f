import Foundation
import MacroCore
import MacroIO

/// Files under Tests/Fixtures/images, written by scripts/make-test-images.py (kept outside the
/// test target's folder so SwiftPM does not list them as unhandled resources).
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/images").standardized

  static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }

  /// The pixels PIL reported for fixture `stem` (from `stem.txt`).
  static func expected(_ stem: String) throws -> RasterImage {
    let text = try String(contentsOf: directory.appendingPathComponent(stem + ".txt"), encoding: .utf8)
    let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
    let (w, h, c, mx) = (numbers[0], numbers[1], numbers[2], numbers[3])
    return RasterImage(width: w, height: h, channels: c, maxValue: mx,
                       samples: numbers[4...].map { UInt16($0) })
  }

  /// The reason of a `TargetError.image`, or nil for success / another error.
  static func imageFailure(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let TargetError.image(_, reason) {
      return reason
    } catch {
      return nil
    }
  }
}

/// PNG surgery for corruption tests: chunks located by type, rewritten with a fresh CRC.
enum PNGBytes {
  /// Offset of the length field of the first chunk of `type`.
  static func chunkOffset(_ png: [UInt8], _ type: String) -> Int? {
    var pos = 8
    while pos + 8 <= png.count {
      let n = Int(png[pos]) << 24 | Int(png[pos + 1]) << 16 | Int(png[pos + 2]) << 8 | Int(png[pos + 3])
      if String(decoding: png[(pos + 4)..<(pos + 8)], as: UTF8.self) == type { return pos }
      pos += 12 + n
    }
    return nil
  }

  static func data(_ png: [UInt8], _ type: String) -> [UInt8] {
    guard let p = chunkOffset(png, type) else { return [] }
    let n = Int(png[p]) << 24 | Int(png[p + 1]) << 16 | Int(png[p + 2]) << 8 | Int(png[p + 3])
    return Array(png[(p + 8)..<(p + 8 + n)])
  }

  /// Replaces the data of the first `type` chunk (valid length and CRC).
  static func replacing(_ png: [UInt8], _ type: String, with data: [UInt8]) -> [UInt8] {
    guard let p = chunkOffset(png, type) else { return png }
    let n = Int(png[p]) << 24 | Int(png[p + 1]) << 16 | Int(png[p + 2]) << 8 | Int(png[p + 3])
    let typeBytes = Array(type.utf8)
    let crc = PNGDecoder.crc32(typeBytes + data)
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    return Array(png[..<p]) + be(UInt32(data.count)) + typeBytes + data + be(crc) + Array(png[(p + 12 + n)...])
  }
}
