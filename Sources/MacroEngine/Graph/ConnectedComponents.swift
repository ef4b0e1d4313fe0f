/// Component label of every vertex (labels 0, 1, … in order of their smallest vertex),
/// by breadth-first search in O(N + E). Local.
public func componentLabels(_ graph: Graph) -> [Int32] {
  let n = graph.vertexCount
  var label = [Int32](repeating: -1, count: n)
  var queue = [Int32](repeating: 0, count: n)
  var next: Int32 = 0
  for root in 0..<n where label[root] < 0 {
    label[root] = next
    var head = 0, tail = 0
    queue[tail] = Int32(root)
    tail += 1
    while head < tail {
      let v = Int(queue[head])
      head += 1
      for k in graph.offsets[v] ..< graph.offsets[v + 1] {
        let w = Int(graph.neighbors[k])
        if label[w] < 0 {
          label[w] = next
          queue[tail] = Int32(w)
          tail += 1
        }
      }
    }
    next += 1
  }
  return label
}

/// Number of connected components (0 for the empty graph). Local.
public func connectedComponents(_ graph: Graph) -> Int {
  let labels = componentLabels(graph)
  return labels.isEmpty ? 0 : Int(labels.max() ?? -1) + 1
}

extension Graph {
  /// Refuse a disconnected graph. Local.
  /// - Parameter kind: the `graph.kind` config value, used to say what to change.
  /// - Throws: `GraphError.disconnected(components:kind:)` when there is more than one component.
  public func requireConnected(kind: String) throws(GraphError) {
    let c = connectedComponents(self)
    if c > 1 { throw .disconnected(components: c, kind: kind) }
  }
}
