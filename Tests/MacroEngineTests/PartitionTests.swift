import MacroEngine
import Testing
import _TestSupport

@Suite("Partition")
struct PartitionTests {
  @Test func everyAgentOwnedExactlyOnce() throws {
    for n in [0, 1, 2, 5, 63, 64, 65, 100, 127, 1000, 4097] {
      for p in [1, 2, 3, 4, 7, 16] {
        for b in [1, 8, 64] {
          let part = try Partition(agentCount: n, rankCount: p, blockSize: b)
          #expect(part.rankCount == p && part.agentCount == n)
          var count = [Int](repeating: 0, count: n)
          var expectedStart = 0
          var blockCounts: [Int] = []
          for r in 0..<p {
            let range = part.range(of: r)
            #expect(range.lowerBound == expectedStart, "contiguous, ascending")
            #expect(range.lowerBound % b == 0 || range.lowerBound == n, "block aligned")
            expectedStart = range.upperBound
            for id in range {
              count[id] += 1
              #expect(part.owner(of: id) == r)
            }
            blockCounts.append((range.count + b - 1) / b)
          }
          #expect(expectedStart == n)
          #expect(count.allSatisfy { $0 == 1 }, "N=\(n) P=\(p) b=\(b)")
          #expect((blockCounts.max() ?? 0) - (blockCounts.min() ?? 0) <= 1, "balanced in blocks")
        }
      }
    }
  }

  @Test func smallAndEmptyCases() throws {
    let one = try Partition(agentCount: 1, rankCount: 4, blockSize: 64)
    #expect(one.starts == [0, 1, 1, 1, 1])
    #expect(one.owner(of: 0) == 0)
    let few = try Partition(agentCount: 3, rankCount: 5, blockSize: 1)
    #expect(few.starts == [0, 1, 2, 3, 3, 3])
    let blocks = try Partition(agentCount: 200, rankCount: 3, blockSize: 64)  // 4 blocks: 2, 1, 1
    #expect(blocks.starts == [0, 128, 192, 200])
    #expect(blocks.maxRangeCount == 128)
    let empty = try Partition(agentCount: 0, rankCount: 2)
    #expect(empty.range(of: 1).isEmpty)
  }

  @Test func explicitStarts() throws {
    let p = try Partition(starts: [0, 3, 3, 10], blockSize: 1)
    #expect(p.owner(of: 2) == 0 && p.owner(of: 3) == 2 && p.owner(of: 9) == 2)
    #expect(throws: PartitionError.self) { try Partition(starts: [0, 5, 3]) }
    #expect(throws: PartitionError.self) { try Partition(starts: [1, 5]) }
    #expect(throws: PartitionError.self) { try Partition(starts: [0]) }
    #expect(throws: PartitionError.self) { try Partition(starts: [0, 5, 10], blockSize: 4) }
    #expect(try Partition(starts: [0, 8, 10, 10], blockSize: 4).rankCount == 3)
  }

  @Test func rejectsBadArguments() {
    #expect(throws: PartitionError.invalidRankCount(0)) { try Partition(agentCount: 5, rankCount: 0) }
    #expect(throws: PartitionError.invalidBlockSize(0)) { try Partition(agentCount: 5, rankCount: 1, blockSize: 0) }
    #expect(throws: PartitionError.invalidAgentCount(-1)) { try Partition(agentCount: -1, rankCount: 1) }
  }
}
