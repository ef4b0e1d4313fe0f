// CollectiveAgreement: turn a possibly rank-local failure into the same error on every rank.
import MPIKit

public enum CollectiveAgreement {
  /// Runs `body` on this rank, then agrees over `comm`: if any rank failed, every rank
  /// throws the error of the lowest failing rank (kind and text broadcast). Collective.
  static func agree<T>(_ comm: Communicator, path: String, _ body: () throws(CheckpointError) -> T) throws(CheckpointError) -> T {
    var local: Result<T, CheckpointError>
    do { local = .success(try body()) } catch { local = .failure(error) }
    try agree(comm, path: path, failure: { if case .failure(let e) = local { return e } else { return nil } }())
    guard case .success(let value) = local else { fatalError("unreachable: agreement passed with a local failure") }
    return value
  }

  /// Agreement on an optional local failure. Collective.
  static func agree(_ comm: Communicator, path: String, failure: CheckpointError?) throws(CheckpointError) {
    let me = failure == nil ? Int.max : comm.rank
    let first: Int
    do { first = try comm.allreduce(me, .min) } catch {
      throw CheckpointError(.write, path: path, "MPI failure while agreeing: \(error)")
    }
    guard first != Int.max else { return }
    do {
      var kind = [Double(failure?.kind.rawValue ?? 0)]
      try comm.broadcast(&kind, root: first)
      let text = try comm.broadcast(string: failure?.reason ?? "", root: first)
      let k = CheckpointError.Kind(rawValue: Int(kind[0])) ?? .write
      throw CheckpointError(k, path: path, first == comm.rank ? (failure?.reason ?? text) : text)
    } catch let e as CheckpointError {
      throw e
    } catch {
      throw CheckpointError(.write, path: path, "MPI failure while agreeing: \(error)")
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
