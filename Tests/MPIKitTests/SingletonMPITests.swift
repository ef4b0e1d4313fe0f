import Foundation
import Testing
@testable import MPIKit
import _TestSupport

/// In-process tests on a singleton MPI (no mpirun): world size 1. MPI is initialised once
/// per process (initialize() is idempotent) and never finalised here.
@Suite(.serialized) struct SingletonMPITests {
  init() throws { try SingletonMPI.initialize() }

  @Test func worldIsOneRank() throws {
    #expect(MPIEnvironment.isInitialized)
    #expect(!MPIEnvironment.isFinalized)
    #expect(Communicator.world.size == 1)
    #expect(Communicator.world.rank == 0)
    try MPIEnvironment.initialize()  // a second call is harmless
    #expect(Communicator.world.size == 1)
  }

  @Test func allreduceIsIdentityOnOneRank() throws {
    let comm = Communicator.world
    for op in [ReductionOp.sum, .max, .min] {
      #expect(try comm.allreduce(-2.75, op) == -2.75)
      #expect(try comm.allreduce(Int64.min + 3, op) == Int64.min + 3)
      #expect(try comm.allreduce(42, op) == 42)
      #expect(try comm.allreduce([1.5, -0.0, 1e300], op) == [1.5, -0.0, 1e300])
      #expect(try comm.allreduce([Int64(7), -9], op) == [7, -9])
      var xs = [3.25, 4]
      try comm.allreduce(inPlace: &xs, op)
      #expect(xs == [3.25, 4])
    }
  }

  @Test func broadcastGatherAndAllgatherOnOneRank() throws {
    let comm = Communicator.world
    var bytes: [UInt8] = [1, 2, 3]
    try comm.broadcast(&bytes, root: 0)
    #expect(bytes == [1, 2, 3])
    var xs = [0.5, 0.25]
    try comm.broadcast(&xs, root: 0)
    #expect(xs == [0.5, 0.25])
    #expect(try comm.broadcast(string: "ünïcode", root: 0) == "ünïcode")
    #expect(try comm.gather([1, 2, 3], root: 0) == [[1, 2, 3]])
    #expect(try comm.gather(string: "a", root: 0) == ["a"])
    #expect(try comm.allgather(Int64(5)) == [5])
    try comm.barrier()
  }

  @Test func selfMessageThroughOwnedBuffers() throws {
    let comm = Communicator.world
    let source = MessageBuffer([1, 2, 3, 4, 5])
    let target = MessageBuffer(count: 8)
    let recv = try comm.irecv(into: target, offset: 2, count: 5, from: 0, tag: 3)
    #expect(try recv.test() == false)  // nothing sent yet
    let send = try comm.isend(source, count: 5, to: 0, tag: 3)
    try Request.waitAll([recv, send])
    #expect(recv.isComplete && send.isComplete)
    #expect(target.copy(0..<8) == [0, 0, 1, 2, 3, 4, 5, 0])
  }

  @Test func requestKeepsItsBufferAliveUntilComplete() throws {
    let comm = Communicator.world
    weak var weakBuffer: MessageBuffer?
    var request: Request?
    do {
      let buffer = MessageBuffer(count: 4)
      weakBuffer = buffer
      request = try comm.irecv(into: buffer, count: 4, from: 0, tag: 11)
    }
    #expect(weakBuffer != nil)  // only the request holds it now
    try comm.send([9, 8, 7, 6], to: 0, tag: 11)
    #expect(weakBuffer?.copy(0..<4) == [9, 8, 7, 6])
    try request?.wait()
    #expect(weakBuffer == nil)  // released on completion
  }

  @Test func blockingReceiveReturnsWhatArrived() throws {
    let comm = Communicator.world
    let send = try comm.isend(MessageBuffer([4, 5, 6]), count: 3, to: 0, tag: 21)
    let got = try comm.receive(count: 10, from: 0, tag: 21)
    try send.wait()
    #expect(got == [4, 5, 6])
  }

  @Test func badCallThrowsMPIErrorWithText() throws {
    // A broadcast from root 5 on a one-rank communicator: MPI_ERR_ROOT, returned (not
    // fatal) because initialize() installed MPI_ERRORS_RETURN.
    var value = 1.0
    let rc = withUnsafeMutablePointer(to: &value) {
      RawMPI.bcast(UnsafeMutableRawPointer($0), 1, Datatype.double.raw, 5, Communicator.world.raw)
    }
    #expect(rc != RawMPI.success)
    let error = #expect(throws: MPIError.self) { try check(rc, "MPI_Bcast") }
    #expect(error?.code == rc)
    #expect(error?.function == "MPI_Bcast")
    #expect(error?.message.lowercased().contains("root") == true, "\(String(describing: error))")
    #expect(error?.description.hasPrefix("MPI_Bcast failed: ") == true)
    #expect(throws: Never.self) { try check(RawMPI.success, "MPI_Barrier") }
  }

  @Test func environmentQueries() throws {
    let t0 = MPIEnvironment.wtime()
    Thread.sleep(forTimeInterval: 0.02)
    let dt = MPIEnvironment.wtime() - t0
    #expect(dt >= 0.015 && dt < 5)
    #expect(try MPIEnvironment.libraryVersion.contains("Open MPI"))
    #expect(try MPIEnvironment.processorName == ProcessInfo.processInfo.hostName
            || ProcessInfo.processInfo.hostName.hasPrefix(try MPIEnvironment.processorName))
  }
}
