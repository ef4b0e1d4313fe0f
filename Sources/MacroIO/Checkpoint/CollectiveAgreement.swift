// CollectiveAgreement: turn a possibly rank-local failure into the same error on every rank.
import MPIKit

/// An error every rank can agree on: its kind as a code and its reason travel to the other
/// ranks, which rebuild it with `agreed(code:path:reason:)`.
protocol AgreedError: Error {
  var agreementCode: Int { get }
  var reason: String { get }
  static func agreed(code: Int, path: String, reason: String) -> Self
  /// The error when the agreement itself fails (an MPI error while agreeing).
  static func agreementFailed(path: String, reason: String) -> Self
}

public enum CollectiveAgreement {
  /// Runs `body` on this rank, then agrees over `comm`: if any rank failed, every rank
  /// throws the error of the lowest failing rank (kind and text broadcast). Collective.
  static func agree<T, E: AgreedError>(_ comm: Communicator, path: String, _ body: () throws(E) -> T) throws(E) -> T {
    var local: Result<T, E>
    do { local = .success(try body()) } catch { local = .failure(error) }
    try agree(comm, path: path, failure: { if case .failure(let e) = local { return e } else { return nil } }())
    guard case .success(let value) = local else { fatalError("unreachable: agreement passed with a local failure") }
    return value
  }

  /// Agreement on an optional local failure. Collective.
  static func agree<E: AgreedError>(_ comm: Communicator, path: String, failure: E?) throws(E) {
    let first: Int
    do { first = try comm.allreduce(failure == nil ? Int.max : comm.rank, .min) } catch {
      throw E.agreementFailed(path: path, reason: "MPI failure while agreeing: \(error)")
    }
    guard first != Int.max else { return }
    if first == comm.rank, let failure {
      do {
        var code = [Double(failure.agreementCode)]
        try comm.broadcast(&code, root: first)
        _ = try comm.broadcast(string: failure.reason, root: first)
      } catch { throw E.agreementFailed(path: path, reason: "MPI failure while agreeing: \(error)") }
      throw failure
    }
    do {
      var code = [0.0]
      try comm.broadcast(&code, root: first)
      let text = try comm.broadcast(string: "", root: first)
      throw E.agreed(code: Int(code[0]), path: path, reason: text)
    } catch let e as E {
      throw e
    } catch {
      throw E.agreementFailed(path: path, reason: "MPI failure while agreeing: \(error)")
    }
  }

  /// Agreement on an optional rank-local failure message: nil when no rank failed, else the
  /// message of the lowest failing rank, on every rank. One Allreduce, plus one Bcast when
  /// some rank failed. Collective.
  public static func firstFailure(_ comm: Communicator, _ failure: String?) throws(MPIError) -> String? {
    let first = try comm.allreduce(failure == nil ? Int.max : comm.rank, .min)
    guard first != Int.max else { return nil }
    return try comm.broadcast(string: failure ?? "", root: first)
  }
}

extension CheckpointError: AgreedError {
  var agreementCode: Int { kind.rawValue }
  static func agreed(code: Int, path: String, reason: String) -> CheckpointError {
    CheckpointError(Kind(rawValue: code) ?? .write, path: path, reason)
  }
  static func agreementFailed(path: String, reason: String) -> CheckpointError { CheckpointError(.write, path: path, reason) }
}

extension SnapshotError: AgreedError {
  var agreementCode: Int { 0 }
  static func agreed(code: Int, path: String, reason: String) -> SnapshotError { SnapshotError(path: path, reason: reason) }
  static func agreementFailed(path: String, reason: String) -> SnapshotError { SnapshotError(path: path, reason: reason) }
}
