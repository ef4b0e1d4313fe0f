import Foundation
import MacroCore
@testable import MacroIO

/// The repository root (this file is Tests/MacroIOTests/ConfigTestSupport.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory(_ tag: String = #function) throws -> String {
  let safe = tag.filter { $0.isLetter || $0.isNumber }
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("macroopt-tests-\(safe)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url.path
}

func writeFile(_ path: String, _ text: String) throws {
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// Parses with a fixed base directory; returns the error instead of throwing.
func parseResult(_ toml: String, overrides: [String] = [], base: String = "/nonexistent-base")
  -> Result<RunConfig, ConfigError> {
  do {
    return .success(try ConfigLoader.parse(toml: toml, overrides: overrides, baseDirectory: base,
                                           overrideBaseDirectory: "/nonexistent-cwd"))
  } catch {
    return .failure(error)
  }
}

func parseError(_ toml: String, overrides: [String] = [], base: String = "/nonexistent-base")
  -> ConfigError? {
  if case let .failure(e) = parseResult(toml, overrides: overrides, base: base) { return e }
  return nil
}

func parseOK(_ toml: String, overrides: [String] = [], base: String = "/nonexistent-base")
  throws -> RunConfig {
  try parseResult(toml, overrides: overrides, base: base).get()
}

/// Runs a command and returns its standard output (for independent reference tools).
/// stdin and stdout go through temporary files, not pipes: a process forked at the same time
/// by another test (MPI_Init's singleton `orted`) would inherit a pipe's write end and the
/// tool would never see end of file.
func runTool(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> String {
  let dir = try makeTemporaryDirectory("tool")
  defer { try? FileManager.default.removeItem(atPath: dir) }
  let inPath = dir + "/stdin", outPath = dir + "/stdout"
  FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data())
  FileManager.default.createFile(atPath: outPath, contents: nil)
  let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
  let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
  defer { try? input.close(); try? output.close() }
  let p = Process()
  p.executableURL = URL(fileURLWithPath: executable)
  p.arguments = arguments
  p.standardInput = input
  p.standardOutput = output
  try p.run()
  p.waitUntilExit()
  return String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self)
}
