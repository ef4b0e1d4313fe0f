import Foundation
import Testing
@testable import MacroIO

@Suite struct ReadPositionsTests {
  func file(_ text: String, name: String = "x0.csv") throws -> String {
    let path = try makeTemporaryDirectory() + "/" + name
    try writeFile(path, text)
    return path
  }

  @Test func readsRowsSkippingBlankLinesAndComments() throws {
    let path = try file("""
      # initial positions
      0.5, -0.25

      -1,1   # a corner
      \t0.125 ,0\r
      1e-3,-1.0e0
      """)
    let x = try readPositions(path: path, dimension: 2, expectedCount: 4)
    #expect(x == [0.5, -0.25, -1, 1, 0.125, 0, 0.001, -1])
  }

  @Test func oneAndThreeDimensions() throws {
    #expect(try readPositions(path: try file("0.1\n-0.2\n"), dimension: 1) == [0.1, -0.2])
    #expect(try readPositions(path: try file("0.1,0.2,0.3\n"), dimension: 3) == [0.1, 0.2, 0.3])
    #expect(try readPositions(path: try file("# nothing\n\n"), dimension: 2) == [])
  }

  /// Each malformed file names the physical line (comments and blanks counted) and the problem.
  @Test(arguments: [
    ("0,0\n0.1\n", 2, "expected 2 comma-separated coordinates, found 1"),
    ("0,0\n# c\n\n0.1,0.2,0.3\n", 4, "expected 2 comma-separated coordinates, found 3"),
    ("0,abc\n", 1, "coordinate 2 \"abc\" is not a number"),
    ("0,\n", 1, "coordinate 2 is empty"),
    ("0,0\n1.5,0\n", 2, "coordinate 1 = 1.5 is outside X = [-1, 1]"),
    ("nan,0\n", 1, "coordinate 1 = nan is outside X = [-1, 1]"),
    ("0;0\n", 1, "expected 2 comma-separated coordinates, found 1"),
  ])
  func malformedLinesAreNamed(text: String, line: Int, message: String) throws {
    let path = try file(text)
    #expect(throws: InputFileError(path: path, line: line, message: message)) {
      try readPositions(path: path, dimension: 2)
    }
  }

  @Test func countMustMatchWhenExpected() throws {
    let path = try file("0,0\n0.5,0.5\n")
    do {
      _ = try readPositions(path: path, dimension: 2, expectedCount: 3)
      Issue.record("expected a count error")
    } catch {
      #expect(error.line == nil)
      #expect(error.description == "\(path): expected 3 agents (one a line, agents.count), found 2")
    }
  }

  @Test func missingFile() {
    #expect(throws: InputFileError(path: "/no/such/x0.csv", line: nil, message: "no such file")) {
      try readPositions(path: "/no/such/x0.csv", dimension: 2)
    }
  }
}

@Suite struct ReadEdgesTests {
  func file(_ text: String) throws -> String {
    let path = try makeTemporaryDirectory() + "/edges.csv"
    try writeFile(path, text)
    return path
  }

  @Test func normalizesDeduplicatesAndSorts() throws {
    let path = try file("""
      # ring of 4 plus a chord, with duplicates
      0,1
      2, 1
      1,2
      3,2
      0,3
      3,0   # duplicate in the other direction
      2,0

      """)
    let edges = try readEdges(path: path, agentCount: 4)
    #expect(edges.map { [$0.0, $0.1] } == [[0, 1], [0, 2], [0, 3], [1, 2], [2, 3]])
  }

  @Test(arguments: [
    ("0,1\n1,1\n", 2, "self-loop 1,1 is not allowed"),
    ("0,1\n1,4\n", 2, "agent id 4 is out of range 0...3 (agents.count = 4)"),
    ("-1,2\n", 1, "agent id -1 is out of range 0...3 (agents.count = 4)"),
    ("0,1.0\n", 1, "agent id \"1.0\" is not an integer"),
    ("0,1,2\n", 1, "expected two comma-separated agent ids \"i,j\", found 3 fields"),
    ("# c\n3\n", 2, "expected two comma-separated agent ids \"i,j\", found 1 field"),
    ("0,\n", 1, "agent id \"\" is not an integer"),
    ("0 1\n", 1, "expected two comma-separated agent ids \"i,j\", found 1 field"),
  ])
  func malformedLinesAreNamed(text: String, line: Int, message: String) throws {
    let path = try file(text)
    #expect(throws: InputFileError(path: path, line: line, message: message)) {
      try readEdges(path: path, agentCount: 4)
    }
  }

  @Test func errorDescriptionIsFileColonLine() throws {
    let path = try file("0,1\n2,2\n")
    do {
      _ = try readEdges(path: path, agentCount: 3)
      Issue.record("self-loop must be refused")
    } catch {
      #expect(error.description == "\(path):2: self-loop 2,2 is not allowed")
    }
  }

  @Test func largerRandomListMatchesASetModel() throws {
    var rng = SplitMix(seed: 3)
    let n = 50
    var text = ""
    var model = Set<[Int]>()
    for _ in 0..<400 {
      let i = Int(rng.next() % UInt64(n)), j = Int(rng.next() % UInt64(n))
      if i == j { continue }
      text += "\(i),\(j)\n"
      model.insert([min(i, j), max(i, j)])
    }
    let edges = try readEdges(path: try file(text), agentCount: n)
    #expect(edges.count == model.count)
    #expect(Set(edges.map { [$0.0, $0.1] }) == model)
    #expect(zip(edges, edges.dropFirst()).allSatisfy { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) })
  }
}
