// TargetTable+RunFile: the target.json of one run (rank 0 writes; every rank knows the KLs).
import Foundation
import MacroCore
import MacroEngine

/// `OUT/target.json` of a run and the KL numbers of its summary. Built on every rank
/// (the initial fit θ*(s(x⁰)) is solved redundantly, same bits everywhere); only the root
/// tabulates the grid and writes the file. Local.
public final class TargetRunFile {
  public let path: String
  let problem: MacroProblem
  let moments: TargetMoments
  let table: TargetTable?
  /// θ* of the initial positions (round 0), nil if the lower-level solve failed.
  public let initial: TargetTable.Fit?

  /// - Parameters:
  ///   - target: the run's target density; nil skips the table (KLs are still computed).
  ///   - writer: whether this rank writes the file (rank 0).
  public init(scenario sc: Scenario, target: TargetDensity?, outputDir: String, writer: Bool) {
    path = outputDir + "/target.json"
    problem = sc.problem
    moments = sc.cost.target
    table = writer ? target.flatMap { TargetTable(problem: sc.problem, target: $0) } : nil
    initial = (try? sc.problem.solveLowerLevel(s: sc.initialFeatureMean).point.theta).map { .init(round: 0, theta: $0) }
  }

  /// KL(p_target ‖ p_θ*) of the initial positions.
  public var klInitial: Double? { initial.map { TargetTable.kl(problem: problem, target: moments, theta: $0.theta) } }

  /// KL(p_target ‖ p_θ) for the fit `theta`.
  public func kl(theta: [Double]) -> Double { TargetTable.kl(problem: problem, target: moments, theta: theta) }

  /// (Re)writes target.json atomically (ranks without a table do nothing). A failure is an
  /// output failure like any other (the run driver agrees on it and stops every rank).
  public func write(latest: TargetTable.Fit?, complete: Bool) throws(OutputFileError) {
    guard let table, let initial else { return }
    try writeAtomically(path: path, contents: table.json(initial: initial, latest: latest, complete: complete, target: moments).serialized() + "\n")
  }
}
