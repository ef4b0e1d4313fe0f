/// Errors from building or checking a communication graph. The messages say what to change.
public enum GraphError: Error, Equatable, CustomStringConvertible {
  /// The graph of kind `kind` (a `graph.kind` config value) has `components` > 1 components.
  case disconnected(components: Int, kind: String)
  /// Edge number `index` (0-based) of an edge list has an endpoint outside `0..<vertexCount`.
  case invalidEdge(index: Int, i: Int, j: Int, vertexCount: Int)
  /// A generator parameter is out of range.
  case invalidParameter(name: String, value: String, allowed: String)
  /// Agent `agent` has a non-finite coordinate.
  case nonFinitePosition(agent: Int)
  /// CSR arrays given to `Graph(offsets:neighbors:)` violate an invariant.
  case invalidCSR(String)
  /// A dense eigen-solve was asked for a graph larger than `limit`.
  case tooLargeForDense(vertexCount: Int, limit: Int)
  /// LAPACK failed.
  case eigenSolverFailed(String)

  public var description: String {
    switch self {
    case let .disconnected(components, kind):
      let advice: String
      switch kind {
      case "geometric":
        advice = "raise graph.mean_degree (connectivity needs a mean degree above about ln N)"
      case "erdos_renyi":
        advice = "raise graph.probability (connectivity needs p above about ln(N)/N)"
      case "file":
        advice = "add edges to the edge file so that every agent is reachable from agent 0"
      case "grid", "torus", "ring":
        advice = "this is a bug: \(kind) graphs are always connected"
      default:
        advice = "choose a graph whose agents are all reachable from one another"
      }
      return "the \(kind) graph is disconnected (\(components) connected components); "
        + "consensus cannot reach agreement across components: \(advice)"
    case let .invalidEdge(index, i, j, n):
      return "edge \(index) (\(i), \(j)) has an endpoint outside the agent ids 0...\(n - 1); "
        + "edge files use 0-based global ids below agents.count = \(n)"
    case let .invalidParameter(name, value, allowed):
      return "\(name) = \(value) is not allowed: \(allowed)"
    case let .nonFinitePosition(agent):
      return "agent \(agent) has a non-finite coordinate; positions must be finite numbers in [-1, 1]"
    case let .invalidCSR(reason):
      return "invalid CSR graph: \(reason)"
    case let .tooLargeForDense(n, limit):
      return "the dense mixing-rate computation is limited to \(limit) agents (graph has \(n))"
    case let .eigenSolverFailed(reason):
      return "eigenvalue computation failed: \(reason)"
    }
  }
}
