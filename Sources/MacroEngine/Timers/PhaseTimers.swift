import Foundation
import MPIKit

/// A monotonic wall clock. Local.
public enum MonotonicClock {
  public static func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}

/// Named phases of a run (PETSc-style events), timed per rank.
public enum Phase: String, CaseIterable, Sendable {
  case setup
  case step = "step"                 // the whole round loop body
  case haloPost = "halo post"
  case interior
  case haloWait = "halo wait"
  case boundary
  case solve = "lower+CG"             // steps 3–4 of the last consensus step (inside interior/boundary)
  case cg = "CG"                      // eval at θ + CG (inside interior/boundary)
  case diagnostics
  case checkpoint = "checkpoint I/O"
  case output
}

/// Accumulated seconds per phase on this rank. Local.
public struct PhaseTimers: Sendable {
  public private(set) var seconds: [Phase: Double] = [:]
  public private(set) var counts: [Phase: Int] = [:]
  public init() {}

  public mutating func add(_ phase: Phase, _ s: Double) {
    seconds[phase, default: 0] += s
    counts[phase, default: 0] += 1
  }

  /// Times `body` into `phase`.
  @discardableResult
  public mutating func time<R>(_ phase: Phase, _ body: () throws -> R) rethrows -> R {
    let t0 = MonotonicClock.seconds()
    defer { add(phase, MonotonicClock.seconds() - t0) }
    return try body()
  }

  /// min/avg/max over ranks per phase. Collective over comm.
  public func reduce(over comm: Communicator) throws(MPIError) -> [(phase: Phase, min: Double, avg: Double, max: Double, count: Int)] {
    let phases = Phase.allCases
    let local = phases.map { seconds[$0] ?? 0 }
    let mn = try comm.allreduce(local, .min)
    let mx = try comm.allreduce(local, .max)
    let sm = try comm.allreduce(local, .sum)
    let p = Double(comm.size)
    return phases.enumerated().map { (k, ph) in (ph, mn[k], sm[k] / p, mx[k], counts[ph] ?? 0) }
  }
}
