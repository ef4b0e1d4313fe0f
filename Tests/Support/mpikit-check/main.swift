// mpikit-check: exercises MPIKit under mpirun; every rank checks exact expected values.
//
//   mpirun -np P .build/debug/mpikit-check
//
// Each rank prints `rank R: OK <n> checks`, or one `rank R: FAIL <what>` line per failed
// check followed by `rank R: FAILED <k> of <n> checks`, and exits 1 on any failure.
// All values are small integers or dyadic fractions, so every sum is exact.
// `--inject-failure` makes the last rank fail one check (tests use it to see that the
// failure path is reported); `--hang` makes the last rank sleep for ten minutes (tests use
// it to see that a hung job is killed on timeout); `--bench` also times ring exchanges
// (isend/irecv/waitAll with reused buffers) and an 8-double allreduce, printed by rank 0.
import Foundation
import MPIKit

var checks = 0
var failures = 0
var rank = -1

@MainActor func expect<T: Equatable>(_ got: T, _ want: T, _ what: String) {
  checks += 1
  if got != want {
    failures += 1
    print("rank \(rank): FAIL \(what): got \(got), expected \(want)")
  }
}

/// Rank-coded payload: element k of rank r's array is r * 1000 + k + 0.25.
func payload(rank r: Int, count: Int) -> [Double] {
  (0..<count).map { Double(r * 1000 + $0) + 0.25 }
}

do {
  try MPIEnvironment.initialize()
  let comm = Communicator.world
  rank = comm.rank
  let p = comm.size
  let r = rank
  expect(MPIEnvironment.isInitialized, true, "isInitialized")

  // MARK: Allreduce: Double and Int64, scalars and arrays, sum/max/min.
  let d = Double(r) + 0.5
  expect(try comm.allreduce(d, .sum), Double(p * (p - 1) / 2) + 0.5 * Double(p), "allreduce Double sum")
  expect(try comm.allreduce(d, .max), Double(p - 1) + 0.5, "allreduce Double max")
  expect(try comm.allreduce(d, .min), 0.5, "allreduce Double min")
  let i = Int64(r * r + 1)
  let sumSquares = Int64((p - 1) * p * (2 * p - 1) / 6)
  expect(try comm.allreduce(i, .sum), sumSquares + Int64(p), "allreduce Int64 sum")
  expect(try comm.allreduce(i, .max), Int64((p - 1) * (p - 1) + 1), "allreduce Int64 max")
  expect(try comm.allreduce(-i, .min), -Int64((p - 1) * (p - 1) + 1), "allreduce Int64 min")
  expect(try comm.allreduce(r + 7, .sum), p * (p - 1) / 2 + 7 * p, "allreduce Int sum")
  let ds: [Double] = [Double(r), -Double(r), 1, Double(r) * 0.5]
  expect(try comm.allreduce(ds, .sum),
         [Double(p * (p - 1) / 2), -Double(p * (p - 1) / 2), Double(p), Double(p * (p - 1)) / 4],
         "allreduce [Double] sum")
  expect(try comm.allreduce(ds, .max), [Double(p - 1), 0, 1, Double(p - 1) * 0.5], "allreduce [Double] max")
  expect(try comm.allreduce(ds, .min), [0, -Double(p - 1), 1, 0], "allreduce [Double] min")
  var inPlace = ds
  try comm.allreduce(inPlace: &inPlace, .max)
  expect(inPlace, [Double(p - 1), 0, 1, Double(p - 1) * 0.5], "allreduce inPlace [Double] max")
  let is64: [Int64] = [Int64(r), Int64(10 - r), 1 << 40]
  expect(try comm.allreduce(is64, .sum), [Int64(p * (p - 1) / 2), Int64(10 * p - p * (p - 1) / 2), Int64(p) << 40],
         "allreduce [Int64] sum")
  expect(try comm.allreduce(is64, .min), [0, Int64(10 - (p - 1)), 1 << 40], "allreduce [Int64] min")
  var inPlace64 = is64
  try comm.allreduce(inPlace: &inPlace64, .max)
  expect(inPlace64, [Int64(p - 1), 10, 1 << 40], "allreduce inPlace [Int64] max")
  expect(try comm.allreduce([Double](), .sum), [], "allreduce empty")

  // MARK: Ring exchange with isend/irecv on owned buffers (several rounds, buffers reused).
  let count = 1000
  let right = (r + 1) % p, left = (r + p - 1) % p
  let sendBuffer = MessageBuffer(payload(rank: r, count: count))
  let recvBuffer = MessageBuffer(count: 2 * count)
  for round in 0..<3 {
    // Receive into the second half to exercise offsets; tag differs per round.
    let tag = Int32(100 + round)
    let incoming = try comm.irecv(into: recvBuffer, offset: count, count: count, from: left, tag: tag)
    let outgoing = try comm.isend(sendBuffer, count: count, to: right, tag: tag)
    if round == 0 {
      try Request.waitAll([incoming, outgoing])
    } else if round == 1 {
      try incoming.wait()
      try outgoing.wait()
    } else {
      while !(try incoming.test()) {}
      while !(try outgoing.test()) {}
    }
    expect(incoming.isComplete && outgoing.isComplete, true, "ring round \(round) complete")
    expect(recvBuffer.copy(count..<(2 * count)), payload(rank: left, count: count), "ring round \(round) values")
    expect(recvBuffer.copy(0..<count), [Double](repeating: 0, count: count), "ring round \(round) untouched half")
    recvBuffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
  }

  // MARK: Broadcast: bytes (non-root arrays of the wrong length), doubles, string.
  let root = p - 1
  var bytes: [UInt8] = r == root ? Array(0..<200).map { UInt8($0) } : [9, 9, 9]
  try comm.broadcast(&bytes, root: root)
  expect(bytes, Array(0..<200).map { UInt8($0) }, "broadcast bytes")
  var doubles: [Double] = r == 0 ? [1.5, -2.25, .infinity, 0x1.fffffffffffffp0] : []
  try comm.broadcast(&doubles, root: 0)
  expect(doubles, [1.5, -2.25, .infinity, 0x1.fffffffffffffp0], "broadcast doubles")
  let text = try comm.broadcast(string: r == 0 ? "héllo, ranks ✓" : "ignored", root: 0)
  expect(text, "héllo, ranks ✓", "broadcast string")
  var empty: [UInt8] = r == 0 ? [] : [1, 2]
  try comm.broadcast(&empty, root: 0)
  expect(empty, [], "broadcast empty")

  // MARK: Gather with variable counts (rank r contributes r values; rank 0 none).
  let mine = payload(rank: r, count: r)
  let gathered = try comm.gather(mine, root: root)
  if r == root {
    expect(gathered, (0..<p).map { payload(rank: $0, count: $0) }, "gather variable counts")
  } else {
    expect(gathered == nil, true, "gather nil off root")
  }
  let names = try comm.gather(string: "rank-\(r)", root: 0)
  expect(names, r == 0 ? (0..<p).map { "rank-\($0)" } : nil, "gather strings")
  expect(try comm.allgather(Int64(r * 3)), (0..<p).map { Int64($0 * 3) }, "allgather Int64")

  // MARK: Blocking send/receive: stream every rank's data to rank 0 in rank order.
  if r == 0 {
    for source in 1..<max(1, p) {
      let got = try comm.receive(count: 50, from: source, tag: 7)
      expect(got, payload(rank: source, count: source + 2), "receive from \(source)")
    }
  } else {
    try comm.send(payload(rank: r, count: r + 2), to: 0, tag: 7)
  }

  if CommandLine.arguments.contains("--inject-failure"), r == p - 1 {
    expect(r, -1, "injected failure")
  }
  if CommandLine.arguments.contains("--hang"), r == p - 1 {
    Thread.sleep(forTimeInterval: 600)
  }

  if CommandLine.arguments.contains("--bench") {
    for doubles in [8, 1024] {
      let out = MessageBuffer(count: doubles), inb = MessageBuffer(count: doubles)
      let rounds = 20_000
      try comm.barrier()
      let t0 = MPIEnvironment.wtime()
      for _ in 0..<rounds {
        let a = try comm.irecv(into: inb, count: doubles, from: left, tag: 1)
        let b = try comm.isend(out, count: doubles, to: right, tag: 1)
        try Request.waitAll([a, b])
      }
      let perRound = try comm.allreduce((MPIEnvironment.wtime() - t0) / Double(rounds), .max)
      if r == 0 { print("bench: ring exchange of \(doubles) doubles: \(perRound * 1e6) us/round") }
    }
    var xs = [Double](repeating: 1, count: 8)
    let t1 = MPIEnvironment.wtime()
    for _ in 0..<20_000 { try comm.allreduce(inPlace: &xs, .max) }
    let perCall = try comm.allreduce((MPIEnvironment.wtime() - t1) / 20_000, .max)
    if r == 0 { print("bench: allreduce of 8 doubles: \(perCall * 1e6) us") }
  }

  try comm.barrier()
  if failures == 0 {
    print("rank \(r): OK \(checks) checks")
  } else {
    print("rank \(r): FAILED \(failures) of \(checks) checks")
  }
  try MPIEnvironment.finalize()
  try MPIEnvironment.finalize()  // second call must be a no-op
} catch {
  print("rank \(rank): FAIL \(error)")
  failures += 1
}
if failures > 0 { Communicator.world.abort(code: 1) }
