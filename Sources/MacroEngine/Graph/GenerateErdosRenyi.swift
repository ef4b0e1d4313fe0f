import Foundation
import MacroCore

extension Graph {
  /// The Erdős–Rényi graph G(N, p): every pair i < j is an edge independently with
  /// probability p. Local, deterministic, O(N + E).
  ///
  /// Row i's upper neighbours j > i are drawn by geometric skipping: with
  /// `u_k = CounterRNG.uniform(seed: seed, id: i, stream: CounterRNG.Stream.erdosRenyi, index: k)`
  /// the next candidate is `j ← j + 1 + ⌊log(1 − u_k) / log(1 − p)⌋`, starting at `j = i`,
  /// until `j ≥ N`. So every rank gets the same graph from `(seed, N, p)`, and the draws for
  /// row i depend only on i.
  /// - Throws: `GraphError.invalidParameter` unless `0 <= p <= 1` and `0 <= n < 2³¹`.
  ///   The result may be disconnected: check with `requireConnected(kind: "erdos_renyi")`.
  public static func erdosRenyi(_ n: Int, probability p: Double, seed: UInt64) throws(GraphError) -> Graph {
    guard p.isFinite, p >= 0, p <= 1 else {
      throw .invalidParameter(name: "graph.probability", value: "\(p)", allowed: "0 <= p <= 1")
    }
    guard n >= 0, n <= Int(Int32.max) else {
      throw .invalidParameter(name: "agents.count", value: "\(n)", allowed: "0 ... \(Int32.max)")
    }
    var edges: [(Int, Int)] = []
    if p > 0 && n > 1 {
      edges.reserveCapacity(Int(min(Double(n) * Double(n - 1) / 2 * p * 1.05 + 16, 1e9)))
      let logQ = log1p(-p)  // log(1 − p); −∞ when p = 1 (every skip is 0)
      for i in 0..<n {
        var j = i
        var k: UInt64 = 0
        while true {
          let u = CounterRNG.uniform(seed: seed, id: UInt64(i), stream: CounterRNG.Stream.erdosRenyi, index: k)
          k += 1
          let skip = p >= 1 ? 0 : (log1p(-u) / logQ).rounded(.down)
          if !(skip < Double(n - j)) { break }  // also catches NaN
          j += 1 + Int(skip)
          if j >= n { break }
          edges.append((i, j))
        }
      }
    }
    return try Graph(vertexCount: n, edges: edges)
  }
}
