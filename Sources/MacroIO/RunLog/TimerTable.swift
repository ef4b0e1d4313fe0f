import Foundation
import MacroEngine

/// The phase-time table printed at the end of a run, laid out like PETSc's `-log_view`:
/// count, min/avg/max seconds over ranks, the max/min imbalance ratio and each phase's share
/// of the round loop (`step`, the wall time of all rounds) in %. Phases that nest inside
/// `step` (halo, interior, boundary, CG, lower+CG) add up to at most 100 %; setup, diagnostics,
/// checkpoint I/O and output lie outside the rounds and are shown against the same total.
/// Local, pure.
public enum TimerTable {
  public typealias Row = (phase: Phase, min: Double, avg: Double, max: Double, count: Int)

  public static func format(_ rows: [Row], ranks: Int) -> String {
    let shown = rows.filter { $0.count > 0 }
    let loop = rows.first { $0.phase == .step }?.max ?? 0
    let nameWidth = max(16, shown.map { $0.phase.rawValue.count }.max() ?? 0)
    func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
      let fill = String(repeating: " ", count: max(0, w - s.count))
      return left ? s + fill : fill + s
    }
    var out = "Phase times over \(ranks) rank(s), seconds (% of the round loop, max over ranks)\n"
    let head = [pad("phase", nameWidth, left: true), pad("count", 9), pad("min", 11), pad("avg", 11),
                pad("max", 11), pad("max/min", 8), pad("%", 7)]
    out += head.joined(separator: " ") + "\n"
    out += String(repeating: "-", count: nameWidth + 9 + 11 * 3 + 8 + 7 + 6) + "\n"
    for t in shown {
      // max/min: the load imbalance; a phase only some ranks run (output on rank 0) has no ratio.
      let ratio = t.min > 1e-3 * t.max ? String(format: "%.2f", t.max / t.min) : "-"
      let share = loop > 0 ? String(format: "%.1f", 100 * t.max / loop) : "-"
      let cols = [pad(t.phase.rawValue, nameWidth, left: true), pad("\(t.count)", 9),
                  pad(String(format: "%.4e", t.min), 11), pad(String(format: "%.4e", t.avg), 11),
                  pad(String(format: "%.4e", t.max), 11), pad(ratio, 8), pad(share, 7)]
      out += cols.joined(separator: " ") + "\n"
    }
    return out
  }
}
