// HDF5Library: facts about the linked HDF5 library.
import CHDF5

public enum HDF5Library {
  /// The linked library's version, "major.minor.release" (H5get_libversion). Local.
  public static var version: String {
    var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
    guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
    return "\(major).\(minor).\(release)"
  }
}
