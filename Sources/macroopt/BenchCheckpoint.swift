// `macroopt bench-checkpoint` (hidden): checkpoint write and read bandwidth on this many
// ranks, with synthetic state of the default shape (d = 2, K = 6: m = 27).
import ArgumentParser
import Foundation
import MPIKit
import HashKit
import MacroCore
import MacroEngine
import MacroIO

struct BenchCheckpoint: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-checkpoint",
    abstract: "Measure checkpoint write and read bandwidth (MB/s) with synthetic state.",
    shouldDisplay: false)

  @Option(help: "Agents N.")
  var agents: Int = 1_000_000

  @Option(help: "Basis degree K (m = C(K+2, 2) - 1 with d = 2).")
  var degree: Int = 6

  @Option(help: "Directory for the checkpoint files (removed afterwards).")
  var dir: String = "bench-checkpoint"

  @Option(help: "Repetitions (the best time is reported).")
  var repeats: Int = 2

  func validate() throws {
    if !(2...1_000_000_000).contains(agents) { throw ValidationError("--agents must be an integer in 2...1000000000 (got \(agents))") }
    if !(1...12).contains(degree) { throw ValidationError("--degree must be an integer in 1...12 (got \(degree))") }
    if !(1...1000).contains(repeats) { throw ValidationError("--repeats must be an integer in 1...1000 (got \(repeats))") }
    if dir.isEmpty { throw ValidationError("--dir must not be empty") }
  }

  func run() throws {
    let world = Communicator.world
    var c = RunConfig.default
    c.agents.count = agents
    c.basis.degree = degree
    let d = 2, m = LegendreBasis.size(dimension: d, degree: degree)
    let partition = try Partition(agentCount: agents, rankCount: world.size, blockSize: Scenario.blockSize)
    let range = partition.range(of: world.rank)
    func fill(_ width: Int, _ salt: Double) -> [Double] {
      var a = [Double](repeating: 0, count: range.count * width)
      for i in 0..<a.count { a[i] = sin(Double(range.lowerBound * width + i) * 1e-3 + salt) }
      return a
    }
    let rows = CheckpointRows(x: fill(d, 1), x0: fill(d, 2), sigma: fill(m, 3), theta: fill(m, 4), v: fill(m, 5))
    let bytes = Double(agents * (2 * d + 3 * m) * 8)
    let meta = CheckpointWriter.Metadata(round: 1, config: c, agents: agents, dimension: d, m: m, fInitial: 0)
    var bestWrite = Double.infinity, bestRead = Double.infinity
    var path = ""
    for _ in 0..<max(1, repeats) {
      try world.barrier()
      let t0 = MonotonicClock.seconds()
      path = try CheckpointWriter.write(rows: rows, metadata: meta, partition: partition, comm: world, directory: dir, keep: 1)
      try world.barrier()
      let t1 = MonotonicClock.seconds()
      let loaded = try CheckpointReader.load(path: path, expect: .init(agents: agents, dimension: d, m: m, config: c),
                                             partition: partition, comm: world)
      try world.barrier()
      let t2 = MonotonicClock.seconds()
      precondition(loaded.rows.theta == rows.theta, "bench-checkpoint: read back differs")
      bestWrite = min(bestWrite, t1 - t0)
      bestRead = min(bestRead, t2 - t1)
    }
    // The checksums' share: libcrypto's SHA-256 and its Swift twin over this rank's σ rows.
    func hashRate<H>(_ make: () -> H, _ feed: (inout H, UnsafeBufferPointer<Double>) -> Void) -> Double {
      let th = MonotonicClock.seconds()
      var hasher = make()
      rows.sigma.withUnsafeBufferPointer { feed(&hasher, $0) }
      return Double(rows.sigma.count * 8) / 1e6 / max(MonotonicClock.seconds() - th, 1e-9)
    }
    let fast = hashRate(SHA256.init) { $0.update(doubles: $1) }
    let plain = hashRate(SHA256Reference.init) { $0.update(doubles: $1) }
    if world.rank == 0 {
      try? FileManager.default.removeItem(atPath: dir)
      print(String(format: "SHA-256 on one core: libcrypto %.0f MB/s, Swift reference %.0f MB/s; each rank hashes its own rows", fast, plain))
      print(String(format: "checkpoint N = %d, m = %d, %.1f MB on %d rank(s): write %.3f s = %.0f MB/s, read+verify %.3f s = %.0f MB/s",
                   agents, m, bytes / 1e6, world.size, bestWrite, bytes / 1e6 / bestWrite, bestRead, bytes / 1e6 / bestRead))
    }
  }
}
