import Foundation

/// How the run log prints numbers: significant digits, not Swift's shortest round-trip
/// spelling ("25114.22233237618"). Local, pure.
public enum NumberFormat {
  /// `x` with `digits` significant digits (%g style: 0.0444, 2.51e+04, 1.2e-07); "nan"/"inf" as is.
  public static func sig(_ x: Double, _ digits: Int = 4) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(max(1, digits))g", x)
  }

  /// A rate with thousands grouping and no decimals past 100 ("25,114"), else 3 significant digits.
  public static func rate(_ x: Double) -> String {
    guard x.isFinite else { return sig(x) }
    if abs(x) < 100 { return sig(x, 3) }
    let n = Int(x.rounded())
    let digits = String(abs(n))
    var out = ""
    for (k, ch) in digits.enumerated() {
      if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
  }

  /// Seconds as a duration: "42 s", "12 min 05 s", "3 h 02 min"; "?" when not finite.
  public static func duration(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "?" }
    let t = Int(s.rounded())
    if t < 60 { return "\(t) s" }
    if t < 3600 { return String(format: "%d min %02d s", t / 60, t % 60) }
    return String(format: "%d h %02d min", t / 3600, (t % 3600) / 60)
  }
}
