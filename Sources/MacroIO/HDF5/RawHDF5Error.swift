// RawHDF5Error: HDF5 return codes turned into typed errors (the PetscCallMPI idea for HDF5).
import CHDF5
import Foundation

/// An HDF5 call failed. `detail` is HDF5's own error stack (the API call, then the two
/// innermost entries), e.g.
/// "H5Fopen: unable to open file; H5FD_open: truncated file: eof = 100, ...".
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
  /// The HDF5 function that failed and what it was doing ("H5Fcreate run/x.h5").
  public let call: String
  public let detail: String
  public var description: String { detail.isEmpty ? "\(call) failed" : "\(call) failed: \(detail)" }

  /// What went wrong in a user's words, without HDF5's call stack: "not an HDF5 file",
  /// "truncated: 30000 of 79368 bytes", else the innermost entry of the stack without its
  /// function name ("can't write data").
  public var reason: String {
    if detail.contains("file signature not found") { return "not an HDF5 file" }
    if let eof = Self.number(after: "truncated file: eof = ", in: detail),
       let stored = Self.number(after: "stored_eof = ", in: detail) {
      return "truncated: \(eof) of \(stored) bytes"
    }
    guard let innermost = detail.components(separatedBy: "; ").last, !innermost.isEmpty else { return "\(call) failed" }
    if let colon = innermost.range(of: ": "), !innermost[..<colon.lowerBound].contains(" ") {
      return String(innermost[colon.upperBound...])
    }
    return innermost
  }

  private static func number(after key: String, in text: String) -> Int? {
    guard let r = text.range(of: key) else { return nil }
    return Int(text[r.upperBound...].prefix { $0.isNumber })
  }
}

enum RawHDF5 {
  /// Silences HDF5's automatic printing of error stacks once (we report them ourselves).
  static let silenced: Void = { chdf5_silence_errors() }()

  /// The current HDF5 error stack as text, then cleared. Local.
  static func errorText() -> String {
    var buffer = [UInt8](repeating: 0, count: 2048)
    buffer.withUnsafeMutableBufferPointer { p in
      p.withMemoryRebound(to: CChar.self) { chdf5_error_text($0.baseAddress, $0.count) }
    }
    let end = buffer.firstIndex(of: 0) ?? buffer.count
    // The API call and the innermost two entries say what happened; drop the middle.
    let parts = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "; ")
    return parts.count <= 4 ? parts.joined(separator: "; ") : ([parts[0], "…"] + parts.suffix(2)).joined(separator: "; ")
  }

  /// Throws if `rc` is negative (herr_t / htri_t convention).
  static func check(_ rc: Int32, _ call: @autoclosure () -> String) throws(HDF5Error) {
    if rc < 0 { throw HDF5Error(call: call(), detail: errorText()) }
  }

  /// Returns `id` or throws if it is negative (an invalid hid_t).
  static func id(_ id: hid_t, _ call: @autoclosure () -> String) throws(HDF5Error) -> hid_t {
    if id < 0 { throw HDF5Error(call: call(), detail: errorText()) }
    return id
  }

  /// A true/false query (htri_t).
  static func truth(_ rc: Int32, _ call: @autoclosure () -> String) throws(HDF5Error) -> Bool {
    try check(rc, call())
    return rc > 0
  }
}
