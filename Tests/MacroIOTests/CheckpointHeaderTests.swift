import Foundation
import HashKit
import MacroCore
import Testing
import _TestSupport
@testable import MacroIO

/// Sets `changes` in a checkpoint's hash-protected header and re-hashes it (what a writer
/// with those values would have stored).
func rewriteHeader(_ f: H5File, _ changes: [String: String]) throws {
  var lines = try f.stringAttribute("header").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  for (k, line) in lines.enumerated() {
    for (name, value) in changes where line.hasPrefix(name + " = ") { lines[k] = name + " = " + value }
  }
  let header = lines.joined(separator: "\n")
  try f.setAttribute("header", header)
  try f.setAttribute("header_hash", SHA256.hex(SHA256.digest(bytes: Array(header.utf8))))
}

/// Issue 16 item 5 and issue 15's format bump: edited header attributes, an older format
/// version and a replaced input file are refused on resume, each with its own message.
@Suite(.serialized) struct CheckpointHeaderTests {
  let fixture = CheckpointValidationTests()

  func edit(_ path: String, _ body: (H5File) throws -> Void) throws {
    try withHDF5 {
      let f = try H5File.open(path: path, mode: .readWrite, comm: nil)
      try body(f)
      try f.close()
    }
  }

  @Test func anEditedRoundIsRefused() throws {
    let (_, _, newest) = try fixture.copyOfRun()
    try edit(newest) { try $0.setAttribute("round", Int64(30)) }
    let r = try fixture.resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("attribute round = 30 differs from the value 40 recorded in the hash-protected header"), "\(r)")
  }

  @Test func anEditedFInitialIsRefused() throws {
    let (_, _, newest) = try fixture.copyOfRun()
    try edit(newest) { try $0.setAttribute("F_initial", 123.0) }
    let r = try fixture.resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("attribute F_initial = 123.0 differs from the value"), "\(r)")
  }

  @Test func anEditedHeaderIsRefused() throws {
    let (_, _, newest) = try fixture.copyOfRun()
    try edit(newest) { f in
      try f.setAttribute("round", Int64(30))
      try f.setAttribute("header", try f.stringAttribute("header").replacingOccurrences(of: "round = 40", with: "round = 30"))
    }
    let r = try fixture.resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("the header text does not match header_hash"), "\(r)")
  }

  @Test func anOlderFormatVersionIsRefused() throws {
    let (_, _, newest) = try fixture.copyOfRun()
    try edit(newest) { try $0.setAttribute("format_version", Int64(1)) }
    let r = try fixture.resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("refused (older format): format_version = 1 was written by an older MacroOpt"), "\(r)")
  }

  /// A run with an image target; the image is replaced before the resume.
  @Test func aReplacedInputImageIsRefused() throws {
    let dir = try makeTemporaryDirectory()
    let images = MPIRun.packageRoot.appendingPathComponent("Tests/Fixtures/images").path
    try FileManager.default.copyItem(atPath: images + "/gray16.png", toPath: dir + "/target.png")
    try writeFile(dir + "/image.toml", tinyScenarioTOML(rounds: 20, checkpointEvery: 10, keepCheckpoints: 4)
      + "\n[target]\nkind = \"image\"\nfile = \"target.png\"\n")
    let r0 = try MPIRun.run(np: 2, "macroopt", ["run", dir + "/image.toml", "--output", dir + "/out", "--no-progress"], timeout: 120)
    #expect(r0.exitCode == 0, "\(r0)")
    // The same image again: resumes.
    let same = try MPIRun.run(np: 2, "macroopt", ["resume", dir + "/out/checkpoints/round-00000010.h5", "--rounds", "20",
                                                  "--output", dir + "/same"], timeout: 120)
    #expect(same.exitCode == 0, "\(same)")
    try FileManager.default.removeItem(atPath: dir + "/target.png")
    try FileManager.default.copyItem(atPath: images + "/filters-gray8.png", toPath: dir + "/target.png")
    let r = try MPIRun.run(np: 2, "macroopt", ["resume", dir + "/out/checkpoints/round-00000020.h5", "--rounds", "30",
                                               "--output", dir + "/resumed"], timeout: 120)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("input file target.file changed since the checkpoint was written"), "\(r)")
  }
}
