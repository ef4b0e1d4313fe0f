// engine-check: run under mpirun by Tests/MacroEngineTests. Exchanges halo rows with
// irregular partitions (N not divisible by P, a rank with one agent, empty ranks that have
// no boundary agents) and checks every ghost row against the expected global row exactly.
// Prints "rank R: OK <n> checks" or FAIL lines; exits 1 on failure.
import MacroEngine
import MPIKit
import Foundation

func fail(_ s: String) -> Never {
  print("rank \(Communicator.world.rank): FAIL \(s)")
  exit(1)
}

do {
  try MPIEnvironment.initialize()
  let world = Communicator.world
  let P = world.size
  let n = 37, m = 5
  // Irregular explicit partitions per rank count.
  let starts: [Int]
  switch P {
  case 1: starts = [0, n]
  case 2: starts = [0, 1, n]                 // rank 0 owns a single agent
  case 3: starts = [0, 1, 20, n]
  default:                                   // trailing empty ranks (no boundary agents)
    starts = [0, 1, 18, n] + [Int](repeating: n, count: P - 3)
  }
  var checks = 0
  for graph in [try Graph.ring(n), try Graph.grid(n), try Graph.erdosRenyi(n, probability: 0.2, seed: 5)] {
    let partition = try Partition(starts: starts)
    let plan = try HaloPlan(graph: graph, partition: partition, rank: world.rank)
    let state = AgentState(dimension: 2, m: m, ownedCount: plan.ownedCount, ghostCount: plan.ghostIDs.count)
    for s in 0..<plan.ownedCount {
      let id = plan.ownedRange.lowerBound + s
      for k in 0..<m { state.sigma[s * m + k] = Double(id * 1000 + k); state.theta[s * m + k] = -Double(id * 1000 + k) - 0.5 }
    }
    // Poison the ghost rows so that a missing write is caught.
    for j in (plan.ownedCount * m)..<state.sigma.count { state.sigma[j] = .nan; state.theta[j] = .nan }
    let halo = HaloExchanger(plan: plan, comm: world, width: m)
    for _ in 0..<3 {  // several rounds reuse the buffers
      try halo.post(state: state)
      try halo.finish(state: state)
      for (g, id) in plan.ghostIDs.enumerated() {
        let slot = plan.ownedCount + g
        for k in 0..<m {
          if state.sigma[slot * m + k] != Double(id * 1000 + k) { fail("sigma ghost \(id)[\(k)] = \(state.sigma[slot * m + k])") }
          if state.theta[slot * m + k] != -Double(id * 1000 + k) - 0.5 { fail("theta ghost \(id)[\(k)]") }
          checks += 2
        }
      }
    }
    // Every neighbour of an owned agent is owned or a ghost.
    for s in 0..<plan.ownedCount {
      for j in graph.neighbors(of: plan.ownedRange.lowerBound + s) where plan.localSlot(of: Int(j)) == nil {
        fail("neighbour \(j) of \(plan.ownedRange.lowerBound + s) has no slot")
      }
      checks += 1
    }
    if plan.ownedCount == 0 && !plan.boundaryIDs.isEmpty { fail("empty rank with boundary agents") }
  }
  checks += try checkDistributedSetup(world)
  try world.barrier()
  print("rank \(world.rank): OK \(checks) checks")
  try MPIEnvironment.finalize()
} catch {
  fail("\(error)")
}
