// MemoryEstimate: the memory a rank needs for a config, checked against what it can have
// before anything is allocated.
import Foundation
import MacroCore

/// Per-rank bytes of a run, from the config alone (nothing allocated), and the memory this
/// rank can have. The formula (bytes; N agents, P ranks, d dimension, m = basis size,
/// Q = n_q^d quadrature nodes, M₂ = m(m+1)/2 moment columns, D = mean degree, B = 32 block):
///
///     replicated   N · (16 d + 16 + 32 D)       positions and x⁰, partition order, graph
///                                                (CSR neighbours, weights, edge list while built):
///                                                today every rank builds the whole scenario
///     distributed  ⌈N/P⌉ · 8 · (4 d + 14 m)     x, x⁰, σ, θ, v, next rows, caches, ghost rows,
///                                                the row copies of a checkpoint or snapshot
///     fixed        8 · (Q m + Q M₂ + 8 B Q) + 128 MiB   basis and moment tables, block
///                                                workspaces, runtime + MPI + HDF5 libraries
///
/// D is graph.mean_degree for geometric/Erdős–Rényi graphs (probability·N), 2 for a ring, 4
/// for a grid/torus, 16 for a file graph (unknown until read). When setup becomes
/// distributed, only the replicated term changes. Local.
public struct MemoryEstimate: Sendable {
  public let bytesPerRank: Double
  public let replicated: Double
  public let distributed: Double

  public init(config c: RunConfig, ranks: Int) {
    let n = Double(c.agents.count), d = Double(c.agents.dimension)
    let m = Double(LegendreBasis.size(dimension: c.agents.dimension, degree: c.basis.degree))
    let q = pow(Double(c.basis.quadratureNodes), d), m2 = m * (m + 1) / 2
    let degree: Double
    switch c.graph.kind {
    case .ring: degree = 2
    case .grid, .torus: degree = 4
    case .erdosRenyi: degree = c.graph.probability * n
    case .file: degree = 16
    case .geometric: degree = c.graph.meanDegree
    }
    replicated = n * (16 * d + 16 + 32 * degree)
    distributed = (n / Double(max(1, ranks))).rounded(.up) * 8 * (4 * d + 14 * m)
    bytesPerRank = replicated + distributed + 8 * (q * m + q * m2 + 8 * 32 * q) + 128 * 1024 * 1024
  }

  /// The memory this rank can have: the smaller of MemAvailable and the cgroup's free limit
  /// (memory.max − memory.current, v2; the tightest along the cgroup path), divided by the
  /// ranks on this node (OMPI_COMM_WORLD_LOCAL_SIZE, else `ranksOnNode`). nil if unknown.
  public static func availablePerRank(ranksOnNode: Int) -> (bytes: Double, source: String)? {
    var best: (Double, String)? = meminfoAvailable().map { ($0, "MemAvailable") }
    if let cg = cgroupAvailable(), best.map({ cg < $0.0 }) ?? true { best = (cg, "the cgroup memory limit") }
    guard let (bytes, source) = best else { return nil }
    let env = ProcessInfo.processInfo.environment
    let local = env["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? env["SLURM_NTASKS_PER_NODE"].flatMap(Int.init) ?? ranksOnNode
    return (bytes / Double(max(1, local)), "\(source) / \(max(1, local)) rank(s) on this node")
  }

  static func meminfoAvailable() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let parts = line.split(separator: " ")
      if parts.count >= 2, let kb = Double(parts[1]) { return kb * 1024 }
    }
    return nil
  }

  static func cgroupAvailable() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
    var path = String(line.dropFirst(3))
    var best: Double? = nil
    while true {
      let dir = "/sys/fs/cgroup" + (path == "/" ? "" : path)
      if let max = readNumber(dir + "/memory.max"), let current = readNumber(dir + "/memory.current") {
        let free = Swift.max(0, max - current)
        best = best.map { Swift.min($0, free) } ?? free
      }
      if path == "/" || path.isEmpty { break }
      path = (path as NSString).deletingLastPathComponent
    }
    return best
  }

  static func readNumber(_ path: String) -> Double? {
    (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  public static func gib(_ b: Double) -> String { String(format: "%.2f GiB", b / 1_073_741_824) }

  /// One line for `check` and the refusal message.
  public var summary: String {
    "memory estimate \(Self.gib(bytesPerRank)) per rank (\(Self.gib(replicated)) replicated on every rank + \(Self.gib(distributed)) for its share of the agents)"
  }
}
