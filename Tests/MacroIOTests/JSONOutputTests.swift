import Foundation
import Testing
@testable import MacroIO

@Suite struct JSONValueTests {
  /// Parses with Foundation (an independent JSON reader).
  func foundationParse(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
  }

  @Test func objectKeepsKeyOrderAndParsesBack() throws {
    let v: JSONValue = [
      "zeta": 1, "alpha": 2.5, "name": "run", "ok": true, "missing": nil,
      "list": [1, 2.0, "three", false], "nested": ["b": 1, "a": [:]],
    ]
    let text = v.serialized()
    #expect(text == #"{"zeta":1,"alpha":2.5,"name":"run","ok":true,"missing":null,"list":[1,2.0,"three",false],"nested":{"b":1,"a":{}}}"#)
    let parsed = try #require(try foundationParse(text) as? [String: Any])
    #expect(parsed["zeta"] as? Int == 1)
    #expect(parsed["alpha"] as? Double == 2.5)
    #expect(parsed["name"] as? String == "run")
    #expect(parsed["ok"] as? Bool == true)
    #expect(parsed["missing"] is NSNull)
    #expect((parsed["list"] as? [Any])?.count == 4)
    #expect(((parsed["nested"] as? [String: Any])?["a"] as? [String: Any])?.isEmpty == true)
  }

  @Test func prettyFormParsesToTheSameValues() throws {
    let v: JSONValue = ["agents": 1000, "F": ["initial": 0.73, "final": 0.045], "tags": [], "x": [1, 2]]
    let pretty = v.prettySerialized()
    #expect(pretty.hasSuffix("}\n"))
    #expect(pretty.contains("\n  \"F\": {\n    \"initial\": 0.73,"))
    let a = try #require(try foundationParse(pretty) as? NSDictionary)
    let b = try #require(try foundationParse(v.serialized()) as? NSDictionary)
    #expect(a == b)
  }

  @Test func doublesRoundTripBitForBit() throws {
    var rng = SplitMix(seed: 7)
    var values: [Double] = [0, -0.0, 0.1, 0.1 + 0.2, 1e-5, 5e-324, 2.2250738585072014e-308,
                            1.7976931348623157e308, -123.456, 1e16, 1e22, 3.0]
    for _ in 0..<500 {
      values.append(Double(bitPattern: rng.next()))
    }
    values = values.filter(\.isFinite)
    let text = JSONValue.array(values.map(JSONValue.number)).serialized()
    // Foundation's reader (swift-foundation 6.3 on Linux) is not correctly rounded: it can miss
    // the last bits, so it only bounds the error here.
    let parsed = try #require(try foundationParse(text) as? [NSNumber])
    #expect(parsed.count == values.count)
    for (p, v) in zip(parsed, values) {
      #expect(abs(p.doubleValue - v) <= 1e-14 * abs(v), "\(v)")
    }
    // Python's json module (correctly rounded strtod) must give the exact bits back.
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
      let script = "import json,struct,sys\nfor x in json.load(sys.stdin): print(struct.unpack('<Q', struct.pack('<d', x))[0])"
      let out = try runTool("/usr/bin/python3", ["-c", script], stdin: Data(text.utf8))
      let bits = out.split(separator: "\n").compactMap { UInt64($0) }
      #expect(bits == values.map(\.bitPattern))
    }
    // The text of each number also reads back exactly with Swift's own parser.
    for v in values {
      #expect(Double(JSONValue.number(v).serialized())?.bitPattern == v.bitPattern)
    }
  }

  @Test func nonFiniteDoublesBecomeStrings() throws {
    let v: JSONValue = [.number(.nan), .number(.infinity), .number(-.infinity)]
    #expect(v.serialized() == #"["nan","inf","-inf"]"#)
    #expect(try foundationParse(v.serialized()) as? [String] == ["nan", "inf", "-inf"])
  }

  @Test func stringsAreEscaped() throws {
    let nasty = "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} nul \u{00} "
      + "del \u{7f} unicode é ✓ 🚀 sep \u{2028}"
    let text = JSONValue.object([(nasty, .string(nasty))]).serialized()
    #expect(!text.contains("\n"))
    let parsed = try #require(try foundationParse(text) as? [String: String])
    #expect(parsed[nasty] == nasty)
  }

  @Test func integersStayIntegers() throws {
    let v: JSONValue = ["big": .int(Int.max), "neg": .int(-42)]
    #expect(v.serialized() == #"{"big":9223372036854775807,"neg":-42}"#)
    #expect(v["neg"] == .int(-42))
  }
}

@Suite struct JSONLinesWriterTests {
  func lines(_ path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
  }

  @Test func writesOneObjectPerLineAndAppends() throws {
    let dir = try makeTemporaryDirectory()
    let path = dir + "/diagnostics.jsonl"
    do {
      let w = try JSONLinesWriter(path: path, append: false)
      for r in 0..<3 { try w.write(["round": .int(r * 50), "F": .number(1.0 / Double(r + 1))]) }
      // Visible before close: each line is written through.
      #expect(try lines(path).count == 4)
      try w.close()
      #expect(throws: OutputFileError.self) { try w.write(["late": 1]) }
    }
    do {
      let w = try JSONLinesWriter(path: path, append: true)
      try w.write(["round": 150, "note": "line\nbreak"])
      try w.close()
    }
    let all = try lines(path)
    #expect(all.count == 5 && all.last == "")
    for (i, line) in all.dropLast().enumerated() {
      let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      #expect(obj["round"] as? Int == i * 50)
    }
    // Fresh mode truncates.
    let w = try JSONLinesWriter(path: path, append: false)
    try w.write(["only": true])
    try w.close()
    #expect(try lines(path) == [#"{"only":true}"#, ""])
  }

  @Test func appendDropsAPartialLastLine() throws {
    let dir = try makeTemporaryDirectory()
    let path = dir + "/d.jsonl"
    try writeFile(path, "{\"round\":0}\n{\"round\":50}\n{\"rou")
    let w = try JSONLinesWriter(path: path, append: true)
    try w.write(["round": 100])
    try w.close()
    #expect(try lines(path) == [#"{"round":0}"#, #"{"round":50}"#, #"{"round":100}"#, ""])
    // A file with no complete line at all is emptied.
    try writeFile(path, "{\"rou")
    let w2 = try JSONLinesWriter(path: path, append: true)
    try w2.write(["round": 1])
    try w2.close()
    #expect(try lines(path) == [#"{"round":1}"#, ""])
  }

  @Test func appendCreatesAMissingFileAndBadDirectoryThrows() throws {
    let dir = try makeTemporaryDirectory()
    let w = try JSONLinesWriter(path: dir + "/new.jsonl", append: true)
    try w.write(["a": 1])
    try w.close()
    #expect(try lines(dir + "/new.jsonl") == [#"{"a":1}"#, ""])
    #expect(throws: OutputFileError.self) {
      _ = try JSONLinesWriter(path: dir + "/no/such/dir/x.jsonl", append: false)
    }
  }
}

@Suite struct WriteAtomicallyTests {
  @Test func replacesContentAndLeavesNoTemporaryFiles() throws {
    let dir = try makeTemporaryDirectory()
    let path = dir + "/summary.json"
    try writeAtomically(path: path, contents: (["F_final": 0.045] as JSONValue).prettySerialized())
    try writeAtomically(path: path, contents: (["F_final": 0.044, "rounds": 3000] as JSONValue).prettySerialized())
    let obj = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    #expect(obj["F_final"] as? Double == 0.044)
    #expect(obj["rounds"] as? Int == 3000)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["summary.json"])
  }

  @Test func failureLeavesTheOldFile() throws {
    let dir = try makeTemporaryDirectory()
    #expect(throws: OutputFileError.self) {
      try writeAtomically(path: dir + "/missing/summary.json", contents: "{}")
    }
    // Renaming over a directory fails; the directory and no temporary file remain.
    try FileManager.default.createDirectory(atPath: dir + "/target", withIntermediateDirectories: false)
    try writeFile(dir + "/target/keep", "x")
    #expect(throws: OutputFileError.self) {
      try writeAtomically(path: dir + "/target", contents: "{}")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["target"])
  }
}
