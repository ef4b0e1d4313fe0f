import Foundation

/// A problem in an input file; `line` is the 1-based physical line when the problem is on one.
public struct InputFileError: Error, CustomStringConvertible, Equatable, Sendable {
  public let path: String
  public let line: Int?
  public let message: String

  public init(path: String, line: Int?, message: String) {
    self.path = path
    self.line = line
    self.message = message
  }

  /// `x0.csv:12: expected 2 comma-separated coordinates, found 3`.
  public var description: String {
    line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
  }
}

/// Reads the initial positions file (x0.csv). Local.
///
/// Format: one agent a line, `dimension` comma-separated coordinates, each a finite number in
/// [-1, 1]. Blank lines and `#` comments (whole-line or trailing) are skipped; the n-th data
/// line (0-based) is global id n. Spaces around fields and CRLF line ends are accepted.
///
/// - Returns: the positions row-major, `count × dimension` doubles.
/// - Parameter expectedCount: when given, the number of data lines must equal it.
public func readPositions(path: String, dimension: Int,
                          expectedCount: Int? = nil) throws(InputFileError) -> [Double] {
  precondition(dimension >= 1, "dimension must be >= 1")
  var out: [Double] = []
  if let expectedCount { out.reserveCapacity(max(0, expectedCount) * dimension) }
  var rows = 0
  try forEachDataLine(path: path) { (fields: [Substring], line: Int) throws(InputFileError) in
    out.append(contentsOf: try parsePositionLine(fields, line: line, path: path, dimension: dimension))
    rows += 1
  }
  if let expectedCount, rows != expectedCount {
    throw InputFileError(path: path, line: nil, message:
      "expected \(expectedCount) agents (one a line, agents.count), found \(rows)")
  }
  return out
}

/// Reads an edge list (edges.csv). Local.
///
/// Format: `i,j` a line, 0-based global ids in `0..<agentCount`, undirected. Blank lines and
/// `#` comments are skipped. Duplicates (also `j,i` after `i,j`) are ignored. Self-loops
/// `i,i` are **refused** (an error naming the line): the consensus weights put the self weight
/// on the diagonal themselves, so a self-loop in the file is a mistake.
///
/// - Returns: each undirected edge once as `(i, j)` with `i < j`, sorted ascending.
public func readEdges(path: String, agentCount: Int) throws(InputFileError) -> [(Int, Int)] {
  var edges: [(Int, Int)] = []
  try forEachDataLine(path: path) { (fields: [Substring], line: Int) throws(InputFileError) in
    edges.append(try parseEdgeLine(fields, line: line, path: path, agentCount: agentCount))
  }
  edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
  var unique: [(Int, Int)] = []
  unique.reserveCapacity(edges.count)
  for e in edges where unique.last.map({ $0 != e }) ?? true { unique.append(e) }
  return unique
}

/// The coordinates of one data line of x0.csv, or the error naming the line. Local.
func parsePositionLine(_ fields: [Substring], line: Int, path: String, dimension: Int) throws(InputFileError) -> [Double] {
  guard fields.count == dimension else {
    throw InputFileError(path: path, line: line, message:
      "expected \(dimension) comma-separated coordinate\(dimension == 1 ? "" : "s"), found \(fields.count)")
  }
  var out: [Double] = []
  for (k, field) in fields.enumerated() {
    guard !field.isEmpty else {
      throw InputFileError(path: path, line: line, message: "coordinate \(k + 1) is empty")
    }
    guard let x = Double(field) else {
      throw InputFileError(path: path, line: line, message: "coordinate \(k + 1) \"\(field)\" is not a number")
    }
    guard x.isFinite, x >= -1, x <= 1 else {
      throw InputFileError(path: path, line: line, message: "coordinate \(k + 1) = \(field) is outside X = [-1, 1]")
    }
    out.append(x)
  }
  return out
}

/// The edge `(min, max)` of one data line of an edge file, or the error naming the line. Local.
func parseEdgeLine(_ fields: [Substring], line: Int, path: String, agentCount: Int) throws(InputFileError) -> (Int, Int) {
  guard fields.count == 2 else {
    throw InputFileError(path: path, line: line, message:
      "expected two comma-separated agent ids \"i,j\", found \(fields.count) field\(fields.count == 1 ? "" : "s")")
  }
  var ids = [0, 0]
  for k in 0..<2 {
    guard let id = Int(fields[k]) else {
      throw InputFileError(path: path, line: line, message: "agent id \"\(fields[k])\" is not an integer")
    }
    guard id >= 0, id < agentCount else {
      throw InputFileError(path: path, line: line, message:
        "agent id \(id) is out of range 0...\(agentCount - 1) (agents.count = \(agentCount))")
    }
    ids[k] = id
  }
  guard ids[0] != ids[1] else {
    throw InputFileError(path: path, line: line, message: "self-loop \(ids[0]),\(ids[1]) is not allowed")
  }
  return (min(ids[0], ids[1]), max(ids[0], ids[1]))
}

/// Calls `body` with the trimmed comma-separated fields and the 1-based line number of every
/// line that is not blank or a comment.
private func forEachDataLine(
  path: String, _ body: ([Substring], Int) throws(InputFileError) -> Void
) throws(InputFileError) {
  guard let data = FileManager.default.contents(atPath: path) else {
    let exists = FileManager.default.fileExists(atPath: path)
    throw InputFileError(path: path, line: nil, message: exists ? "cannot read the file" : "no such file")
  }
  guard let text = String(data: data, encoding: .utf8) else {
    throw InputFileError(path: path, line: nil, message: "not UTF-8 text")
  }
  var lineNumber = 0
  for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
    lineNumber += 1
    guard let fields = csvDataFields(rawLine) else { continue }
    try body(fields, lineNumber)
  }
}
