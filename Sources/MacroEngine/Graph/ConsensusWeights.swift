import MacroCore

/// Doubly stochastic consensus weights W on a `Graph`, stored parallel to its CSR.
///
/// * `metropolis`: `w_ij = 1 / (1 + max(deg_i, deg_j))` for each edge, `w_ii = 1 − Σ_j w_ij`.
/// * `lazyMetropolis`: `(I + W) / 2`, i.e. `w_ij / 2` and `(1 + w_ii) / 2`; all eigenvalues in
///   [0, 1], so the lower-level gradient iteration is stable for any γ below 1/h_max.
///
/// Summation order (the engine must use it so results do not depend on the partition):
/// for agent i, `Σ_j w_ij v_j` is accumulated as `acc = 0; acc += w · v` (separate multiply
/// and add, no FMA) over the terms of row i in ascending global id, with the self term
/// `w_ii v_i` inserted at the position where i falls among its (ascending) neighbour ids.
/// `mixReference` implements exactly this and is the reference for the engine's kernel.
/// `w_ii` itself is `1 − (Σ_j w_ij in ascending j)`, computed once here.
public struct ConsensusWeights: Sendable, Equatable {
  /// The weight rule, in the config's vocabulary (`graph.weights`).
  public typealias Kind = RunConfig.WeightRule

  public let kind: Kind
  /// `w_ij` for each CSR entry: `weightsOffDiagonal[k]` belongs to `graph.neighbors[k]`.
  public let weightsOffDiagonal: [Double]
  /// `w_ii` for each vertex.
  public let selfWeight: [Double]

  /// Compute the weights of `graph`. Local.
  public init(graph: Graph, kind: Kind) {
    self.kind = kind
    let n = graph.vertexCount
    var off = [Double](repeating: 0, count: graph.neighbors.count)
    var diagonal = [Double](repeating: 1, count: n)
    for i in 0..<n {
      let di = graph.degree(i)
      var sum = 0.0
      for k in graph.offsets[i] ..< graph.offsets[i + 1] {
        let dj = graph.degree(Int(graph.neighbors[k]))
        let w = 1 / Double(1 + max(di, dj))
        off[k] = w
        sum += w
      }
      diagonal[i] = 1 - sum
    }
    if kind == .lazyMetropolis {
      for k in off.indices { off[k] *= 0.5 }
      for i in 0..<n { diagonal[i] = (1 + diagonal[i]) * 0.5 }
    }
    self.weightsOffDiagonal = off
    self.selfWeight = diagonal
  }

  /// `out_i = Σ_j w_ij v_j` over all agents in the documented summation order, for `width`
  /// values per agent (`values` agent-major, `vertexCount × width`). Plain loops: the
  /// reference for the engine's halo-based kernel, which must match it bitwise. Local.
  public func mixReference(graph: Graph, values: [Double], width m: Int) -> [Double] {
    let n = graph.vertexCount
    precondition(values.count == n * m, "values must hold vertexCount × width numbers")
    precondition(weightsOffDiagonal.count == graph.neighbors.count, "weights belong to another graph")
    var out = [Double](repeating: 0, count: n * m)
    for i in 0..<n {
      for c in 0..<m {
        var acc = 0.0
        var selfDone = false
        for k in graph.offsets[i] ..< graph.offsets[i + 1] {
          let j = Int(graph.neighbors[k])
          if !selfDone && j > i {
            acc += selfWeight[i] * values[i * m + c]
            selfDone = true
          }
          acc += weightsOffDiagonal[k] * values[j * m + c]
        }
        if !selfDone { acc += selfWeight[i] * values[i * m + c] }
        out[i * m + c] = acc
      }
    }
    return out
  }

  /// The dense N×N matrix W, row-major. Local (tests and `mixingRate`).
  public func denseMatrix(graph: Graph) -> [Double] {
    let n = graph.vertexCount
    var w = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      w[i * n + i] = selfWeight[i]
      for k in graph.offsets[i] ..< graph.offsets[i + 1] {
        w[i * n + Int(graph.neighbors[k])] = weightsOffDiagonal[k]
      }
    }
    return w
  }
}
