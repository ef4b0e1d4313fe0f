// FileErrorReason: a file-system error in the project's words ("no space left on device"),
// not a Foundation dump (NSCocoaErrorDomain Code=… UserInfo=…).
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The reason of a file error as strerror(3) text when one can be found (the POSIX error
/// itself or the underlying one of a Foundation error), else a short description. Local.
public func fileErrorReason(_ error: any Error) -> String {
  if let e = error as? OutputFileError { return e.reason }
  let ns = error as NSError
  if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
  if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
    return String(cString: strerror(Int32(u.code)))
  }
  if ns.domain == NSCocoaErrorDomain {
    switch ns.code {
    case NSFileWriteOutOfSpaceError: return String(cString: strerror(ENOSPC))
    case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return String(cString: strerror(EACCES))
    case NSFileWriteFileExistsError: return String(cString: strerror(EEXIST))
    case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return String(cString: strerror(ENOENT))
    case NSFileWriteVolumeReadOnlyError: return String(cString: strerror(EROFS))
    case NSFileReadInapplicableStringEncodingError, NSFileReadCorruptFileError: return "not UTF-8 text"
    default: return "file error \(ns.code)"
    }
  }
  return "\(error)"
}

/// Why `path` cannot be created as a regular file: "is a directory", or nil. Local.
func pathIsDirectoryReason(_ path: String) -> String? {
  var isDir: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue ? "is a directory" : nil
}
