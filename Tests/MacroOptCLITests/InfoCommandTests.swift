import Foundation
import Testing
import _TestSupport

/// The package root, from this file's path (Tests/MacroOptCLITests/InfoCommandTests.swift).
private let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `macroopt info` and the rank-aware main, run as subprocesses.
@Suite(.serialized) struct InfoCommandTests {
  let wrapper = packageRoot.appendingPathComponent("scripts/mpirun")

  @Test func infoUnderScriptsMpirunReportsBothRanks() throws {
    let macroopt = try MPIRun.executable("macroopt")
    let result = try runProcess(wrapper, ["-np", "2", macroopt.path, "info"], timeout: 90, exclusive: true)
    #expect(result.exitCode == 0, "\(result)")
    let lines = result.stdoutLines
    #expect(lines.filter { $0.hasPrefix("rank 0/2: ") }.count == 1, "\(result)")
    #expect(lines.filter { $0.hasPrefix("rank 1/2: ") }.count == 1, "\(result)")
    #expect(lines.contains("ranks:     2"), "\(result)")
    // Only rank 0 prints the header.
    #expect(lines.filter { $0.hasPrefix("MPI:") }.count == 1, "\(result)")
    // scripts/mpirun sets one BLAS thread.
    #expect(lines.contains { $0.hasPrefix("OpenBLAS:") && $0.hasSuffix("1 thread)") }, "\(result)")
  }

  @Test func infoJSONMatchesTheInstalledLibraries() throws {
    let result = try runProcess(try MPIRun.executable("macroopt"), ["info", "--json"], timeout: 60,
                                exclusive: true)
    #expect(result.exitCode == 0, "\(result)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["size"] as? Int == 1, "\(result)")
    #expect((object?["ranks"] as? [[String: Any]])?.count == 1, "\(result)")
    #expect((object?["mpi"] as? String)?.contains("Open MPI") == true, "\(result)")
    #expect((object?["openblas"] as? [String: Any])?["threads"] as? Int == 1, "\(result)")
    // Independent truth: the HDF5 version pkg-config reports for the package we link.
    let pkg = try runProcess(URL(fileURLWithPath: "/usr/bin/pkg-config"), ["--modversion", "hdf5-openmpi"])
    let expected = pkg.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!expected.isEmpty && object?["hdf5"] as? String == expected, "\(result)\n\(pkg)")
  }

  @Test func parseErrorIsPrintedOnceWithExitCode2() throws {
    let macroopt = try MPIRun.executable("macroopt")
    let result = try runProcess(wrapper, ["-np", "2", macroopt.path, "info", "--bogus"], timeout: 90,
                                exclusive: true)
    #expect(result.exitCode == 2, "\(result)")
    #expect(result.stderr.components(separatedBy: "Unknown option '--bogus'").count == 2, "\(result)")
  }

  @Test func helpListsSubcommandsAndExitCodes() throws {
    let result = try runProcess(try MPIRun.executable("macroopt"), ["--help"], timeout: 60)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout.contains("USAGE: macroopt <subcommand>"), "\(result)")
    #expect(result.stdout.contains("info"), "\(result)")
    for line in ["  0   done", "  2   bad input", "  3   diverged", "  85  checkpointed"] {
      #expect(result.stdout.contains(line), "missing '\(line)': \(result)")
    }
  }
}
