/// A target density on X = [-1,1]^d, known up to normalization. Local.
public protocol TargetDensity: Sendable {
  var dimension: Int { get }
  /// log of the unnormalized density at `y` (length d); finite everywhere on X.
  func logDensity(at y: UnsafePointer<Double>) -> Double
}

/// Errors building targets (bad parameters, unreadable images).
public enum TargetError: Error, CustomStringConvertible, Equatable {
  case invalid(String)
  case image(path: String, reason: String)
  public var description: String {
    switch self {
    case .invalid(let s): return s
    case .image(let p, let r): return "target image '\(p)': \(r)"
    }
  }
}
