// ProcessOutputFiles: the temporary files a subprocess run by `runProcess` writes its
// stdout and stderr to.
import Foundation

/// Output goes to temporary files, not pipes: an `orted` forked by an in-process singleton
/// MPI_Init can inherit a pipe's write end and keep it open for the life of the test
/// process, so a pipe reader would never see EOF (and lose what it had not returned yet).
struct ProcessOutputFiles {
  let outURL: URL, errURL: URL
  let outHandle: FileHandle, errHandle: FileHandle

  /// Creates the two files; throws `ProcessFailure.launchFailed` for `command` when it cannot.
  init(command: [String]) throws {
    let tmp = FileManager.default.temporaryDirectory
    let tag = "macroopt-proc-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let outURL = tmp.appendingPathComponent(tag + ".out"), errURL = tmp.appendingPathComponent(tag + ".err")
    guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
          FileManager.default.createFile(atPath: errURL.path, contents: nil),
          let outHandle = try? FileHandle(forWritingTo: outURL),
          let errHandle = try? FileHandle(forWritingTo: errURL) else {
      throw ProcessFailure.launchFailed(command: command, reason: "cannot create output files in \(tmp.path)")
    }
    (self.outURL, self.errURL, self.outHandle, self.errHandle) = (outURL, errURL, outHandle, errHandle)
  }

  /// What the child wrote so far (stdout, stderr); "" for a file that cannot be read.
  func texts() -> (stdout: String, stderr: String) {
    ((try? String(contentsOf: outURL, encoding: .utf8)) ?? "", (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
  }

  /// Closes the handles and removes the files.
  func remove() {
    try? outHandle.close()
    try? errHandle.close()
    try? FileManager.default.removeItem(at: outURL)
    try? FileManager.default.removeItem(at: errURL)
  }
}
