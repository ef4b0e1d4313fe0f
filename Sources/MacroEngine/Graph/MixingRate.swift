import BLASKit

/// Default size limit of the dense eigenvalue computation in `mixingRate`.
public let mixingRateDenseLimit = 3000

/// The mixing rate ρ(W) = max(|λ₂|, |λ_N|): the largest |eigenvalue| of W after the
/// eigenvalue 1 (the consensus direction), from the eigenvalues of the dense N×N matrix
/// (LAPACK dsyev, O(N³): about a second at N = 2000). A disconnected graph gives 1.
/// Errors contract like ρ(W)^t. Local.
/// - Throws: `GraphError.tooLargeForDense` when N > `limit`, `GraphError.eigenSolverFailed`.
public func mixingRate(graph: Graph, weights: ConsensusWeights,
                       limit: Int = mixingRateDenseLimit) throws(GraphError) -> Double {
  let lambda = try mixingEigenvalues(graph: graph, weights: weights, limit: limit)
  return lambda.map(abs).max() ?? 0
}

/// The eigenvalues of W without the consensus eigenvalue 1 (the largest), ascending; from the
/// dense N×N matrix (LAPACK dsyev). Local.
/// - Throws: `GraphError.tooLargeForDense` when N > `limit`, `GraphError.eigenSolverFailed`.
public func mixingEigenvalues(graph: Graph, weights: ConsensusWeights,
                              limit: Int = mixingRateDenseLimit) throws(GraphError) -> [Double] {
  let n = graph.vertexCount
  guard n <= limit else { throw .tooLargeForDense(vertexCount: n, limit: limit) }
  if n < 2 { return [] }
  let lambda: [Double]
  do {
    lambda = try LAPACK.symmetricEigenvalues(weights.denseMatrix(graph: graph), n: n)
  } catch {
    throw .eigenSolverFailed(error.description)
  }
  // Ascending: lambda[n-1] ≈ 1 is the consensus eigenvalue.
  return Array(lambda[0..<(n - 1)])
}
