// MemoryEstimate: the memory a rank needs for a config, checked against what it can have
// before anything is allocated.
import Foundation
import MacroCore

/// Per-rank bytes of a run, from the config alone (nothing allocated), and the memory this
/// rank can have. Setup is distributed (docs/DESIGN.md §3), so nothing of size N is on every
/// rank; the model (bytes; N agents, P ranks, d dimension, m = basis size, Q = n_q^d
/// quadrature nodes, M₂ = (2K+1)^d moment columns, D = mean degree, B = 32 block):
///
///     per owned agent   8 (2d + 2m) + perM · m + perEdge · D + perAgent
///                       x, x⁰ and the checkpoint's copies of them, the state rows (σ, θ, v,
///                       the next rows, caches) and their ghost copies, graph rows, weights,
///                       halo lists and what setup leaves on the heap
///     fixed             8 (Q m + Q M₂ + 8 B Q) + base
///                       basis, moment and quadrature tables, block workspaces; base = the
///                       Swift runtime, MPI, OpenBLAS and HDF5 as loaded
///
/// perM, perEdge, perAgent and base are fitted to the peak RSS of 1-rank runs (one round
/// after setup, the final checkpoint written) at N = 10⁵, K = 4 and 6, ring and geometric
/// graphs, after the round lost its per-round copies and the checkpoint its row copies (2 Dec
/// 2026: peaks 136–192 MiB, estimates 1.18–1.19× them; 1.18× the 2-rank peak per rank at
/// N = 10⁶), so the estimate covers every measured peak by about a fifth
/// (`scripts/tests/test_memory_estimate.py` checks peak ≤ estimate ≤ 1.5 × peak). D is
/// graph.mean_degree for geometric graphs, probability·N for Erdős–Rényi, 2 for a ring, 4 for
/// a grid/torus, 16 for a file graph (unknown until read). Local.
public struct MemoryEstimate: Sendable {
  /// Fitted constants (bytes), see the type's documentation.
  static let perM = 36.0, perEdge = 20.0, perAgent = 64.0, base = 64.0 * 1_048_576

  public let bytesPerRank: Double
  /// The part that does not depend on N (tables, libraries).
  public let fixed: Double
  /// The part for this rank's share of the agents.
  public let agents: Double

  public init(config c: RunConfig, ranks: Int) {
    let n = Double(c.agents.count), d = Double(c.agents.dimension)
    let m = Double(LegendreBasis.size(dimension: c.agents.dimension, degree: c.basis.degree))
    let q = pow(Double(c.basis.quadratureNodes), d), m2 = pow(Double(2 * c.basis.degree + 1), d)
    let degree: Double
    switch c.graph.kind {
    case .ring: degree = 2
    case .grid, .torus: degree = 4
    case .erdosRenyi: degree = c.graph.probability * n
    case .file: degree = 16
    case .geometric: degree = c.graph.meanDegree
    }
    let perOwned = 8 * (2 * d + 2 * m) + Self.perM * m + Self.perEdge * degree + Self.perAgent
    agents = (n / Double(max(1, ranks))).rounded(.up) * perOwned
    fixed = 8 * (q * m + q * m2 + 8 * 32 * q) + Self.base
    bytesPerRank = fixed + agents
  }

  /// nil, or why this config does not fit in the memory a rank can have here (each rank
  /// checks its own node; agreed by the caller). Local.
  public func refusal(_ c: RunConfig, ranks: Int) -> String? {
    guard let (limit, source) = Self.availablePerRank(ranksOnNode: ranks), bytesPerRank > limit else { return nil }
    return "\(summary) exceeds the \(Self.text(limit)) a rank can have here (\(source)): lower agents.count (= \(c.agents.count)) "
      + "or basis.degree (= \(c.basis.degree)), or use more ranks or nodes"
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

  /// Bytes as MiB below 10 GiB, else GiB.
  public static func text(_ b: Double) -> String {
    b < 10 * 1_073_741_824 ? String(format: "%.0f MiB", b / 1_048_576) : String(format: "%.2f GiB", b / 1_073_741_824)
  }

  /// One line for `check` and the refusal message.
  public var summary: String {
    "memory estimate \(Self.text(bytesPerRank)) per rank (\(Self.text(fixed)) tables and libraries + \(Self.text(agents)) for its share of the agents)"
  }
}
