// SwiftVersion: the compiler that built this binary (there is no runtime query).

enum SwiftVersion {
  /// "6.3" etc., fixed at compile time.
  static let compiler: String = {
    #if compiler(>=7.0)
    return ">= 7.0"
    #elseif compiler(>=6.3)
    return "6.3"
    #elseif compiler(>=6.2)
    return "6.2"
    #elseif compiler(>=6.1)
    return "6.1"
    #elseif compiler(>=6.0)
    return "6.0"
    #else
    return "< 6.0"
    #endif
  }()
}
