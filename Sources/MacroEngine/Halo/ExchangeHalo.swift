import MPIKit

/// Executes a `HaloPlan` every round (HPCG's ExchangeHalo): σ and θ rows of the agents each
/// neighbour rank needs, packed as [σ row, θ row] per agent in the plan's id order, sent with
/// nonblocking point-to-point messages into owned buffers. The communicator and tag belong to
/// the exchanger; the engine never names MPI_COMM_WORLD.
public final class HaloExchanger {
  public let plan: HaloPlan
  public let comm: Communicator
  public let tag: Int32
  let m: Int
  let sendBuffers: [MessageBuffer]
  let receiveBuffers: [MessageBuffer]
  /// Local slots to pack, per neighbour.
  let sendSlots: [[Int]]
  var pending: [Request] = []

  public init(plan: HaloPlan, comm: Communicator, width m: Int, tag: Int32 = MessageTags.halo) {
    self.plan = plan
    self.comm = comm
    self.tag = tag
    self.m = m
    var sb: [MessageBuffer] = [], rb: [MessageBuffer] = [], ss: [[Int]] = []
    for k in 0..<plan.neighborRanks.count {
      let sends = plan.sendIDs(neighbor: k)
      ss.append(sends.map { $0 - plan.ownedRange.lowerBound })
      sb.append(MessageBuffer(count: max(1, sends.count * 2 * m)))
      rb.append(MessageBuffer(count: max(1, plan.receiveIDs(neighbor: k).count * 2 * m)))
    }
    sendBuffers = sb
    receiveBuffers = rb
    sendSlots = ss
  }

  /// Posts every receive, packs and posts every send. Collective over the neighbour ranks.
  public func post(state s: AgentState) throws(MPIError) {
    precondition(pending.isEmpty, "exchange already in flight")
    let m = self.m
    for k in 0..<plan.neighborRanks.count {
      let n = plan.receiveIDs(neighbor: k).count
      pending.append(try comm.irecv(into: receiveBuffers[k], count: n * 2 * m, from: plan.neighborRanks[k], tag: tag))
    }
    for k in 0..<plan.neighborRanks.count {
      let slots = sendSlots[k]
      sendBuffers[k].withUnsafeMutableBufferPointer { buf in
        for (t, i) in slots.enumerated() {
          for c in 0..<m {
            buf[t * 2 * m + c] = s.sigma[i * m + c]
            buf[t * 2 * m + m + c] = s.theta[i * m + c]
          }
        }
      }
      pending.append(try comm.isend(sendBuffers[k], count: slots.count * 2 * m, to: plan.neighborRanks[k], tag: tag))
    }
  }

  /// Waits for all messages and unpacks the ghost rows. Collective over the neighbour ranks.
  public func finish(state s: AgentState) throws(MPIError) {
    try Request.waitAll(pending)
    pending.removeAll(keepingCapacity: true)
    let m = self.m, own = plan.ownedCount
    for k in 0..<plan.neighborRanks.count {
      let base = own + plan.receiveOffsets[k]
      let n = plan.receiveOffsets[k + 1] - plan.receiveOffsets[k]
      receiveBuffers[k].withUnsafeBufferPointer { buf in
        for t in 0..<n {
          for c in 0..<m {
            s.sigma[(base + t) * m + c] = buf[t * 2 * m + c]
            s.theta[(base + t) * m + c] = buf[t * 2 * m + m + c]
          }
        }
      }
    }
  }
}
