import Foundation
import Testing
import _TestSupport

/// Runs the `mpikit-check` executable under mpirun: every rank verifies exact results of
/// collectives, a ring exchange with isend/irecv, broadcasts and gathers.
@Suite(.serialized) struct MPIKitCheckTests {
  @Test(arguments: [1, 2, 3, 4])
  func allRanksPass(np: Int) throws {
    let result = try MPIRun.run(np: np, "mpikit-check", timeout: 90)
    #expect(result.exitCode == 0, "\(result)")
    let ok = result.stdoutLines.filter { $0.contains(": OK ") && $0.hasSuffix(" checks") }
    #expect(ok.count == np, "\(result)")
    for r in 0..<np {
      #expect(ok.contains { $0.hasPrefix("rank \(r): OK ") }, "rank \(r) missing: \(result)")
    }
    #expect(!result.stdout.contains("FAIL"), "\(result)")
  }

  /// The checker must notice a wrong value: the last rank fails one check on purpose.
  @Test func failureIsReported() throws {
    let result = try MPIRun.run(np: 2, "mpikit-check", ["--inject-failure"], timeout: 90)
    #expect(result.exitCode != 0, "\(result)")
    #expect(result.stdout.contains("rank 1: FAIL injected failure"), "\(result)")
    #expect(result.stdout.contains("rank 0: OK "), "\(result)")
  }
}

/// A hung rank must fail the test on timeout, and no rank may outlive it.
@Suite(.serialized) struct MPIRunTimeoutTests {
  @Test func hungJobIsKilledOnTimeout() throws {
    try SubprocessLock.withExclusiveAccess {
      // Timed from inside the lock: MPI jobs of other suites run one at a time, and waiting for
      // one of them (it cost 15 s once) is not part of the timeout path measured here.
      let start = Date()
      #expect(throws: ProcessFailure.self) {
        try MPIRun.run(np: 2, "mpikit-check", ["--hang"], timeout: 4, exclusive: false)
      }
      // 4 s timeout + mpirun's SIGTERM forwarding (≈ 3 s) + launch: about 8 s.
      #expect(Date().timeIntervalSince(start) < 20)
      // mpirun forwards the SIGTERM to its ranks (they run in their own process groups);
      // give them a moment to exit, ignoring zombies awaiting reaping.
      let pattern = try MPIRun.executable("mpikit-check").path + " --hang"
      var survivors: [String] = []
      for _ in 0..<50 {
        let ps = try runProcess(URL(fileURLWithPath: "/bin/ps"), ["-eo", "stat=,args="], exclusive: false)
        survivors = ps.stdoutLines.filter { $0.contains(pattern) && !$0.hasPrefix("Z") }
        if survivors.isEmpty { break }
        Thread.sleep(forTimeInterval: 0.1)
      }
      #expect(survivors.isEmpty, "ranks survived: \(survivors)")
    }
  }
}
