import MacroCore

/// Loads a grayscale image target (`target.kind = "image"`). Local.
func loadImageTarget(path: String) throws -> TargetDensity {
  throw TargetError.image(path: path, reason: "image targets are not available in this build yet")
}
