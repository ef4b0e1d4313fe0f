import Testing
import _TestSupport
import MacroCore
import MacroIO

@Suite struct InflateTests {
  @Test(arguments: ["stored", "fixed", "dynamic"])
  func decodesZlibStreamsWrittenByPythonZlib(_ kind: String) throws {
    let z = try Fixtures.bytes("zlib-\(kind).zz")
    let plain = try Fixtures.bytes("zlib-plain.bin")
    #expect(Int(z[2] >> 1 & 3) == ["stored": 0, "fixed": 1, "dynamic": 2][kind])  // block type covered
    #expect(try Inflate.zlibDecompress(z) == plain)
  }

  @Test func checksumsMatchPublishedValues() {
    #expect(Inflate.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    #expect(Inflate.adler32([]) == 1)
    #expect(PNGDecoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(PNGDecoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
  }

  @Test func refusesCorruptStreams() throws {
    let z = try Fixtures.bytes("zlib-dynamic.zz")
    func reason(_ bytes: [UInt8]) -> String? {
      do { _ = try Inflate.zlibDecompress(bytes); return nil } catch { return error.reason }
    }
    var badAdler = z
    badAdler[badAdler.count - 1] ^= 1
    #expect(reason(badAdler)?.contains("Adler-32") == true)
    #expect(reason(Array(z[..<(z.count / 2)]))?.contains("truncated") == true)
    #expect(reason(Array(z[..<(z.count - 2)]))?.contains("truncated") == true)
    var badHeader = z
    badHeader[1] ^= 1
    #expect(reason(badHeader)?.contains("header") == true)
    var stored = try Fixtures.bytes("zlib-stored.zz")
    stored[4] ^= 0xFF  // LEN no longer the complement of NLEN
    #expect(reason(stored)?.contains("LEN/NLEN") == true)
    #expect(reason([0x78, 0x9C, 0x07]) == "invalid deflate block type 3")
    // Output bounded: a stream that inflates past the limit is refused (zip-bomb guard).
    let plainCount = try Fixtures.bytes("zlib-plain.bin").count
    for k in ["stored", "fixed", "dynamic"] {
      let zk = try Fixtures.bytes("zlib-\(k).zz")
      #expect(throws: Inflate.Failure("inflated data longer than the expected 1000 bytes")) {
        try Inflate.zlibDecompress(zk, limit: 1000)
      }
      #expect(try Inflate.zlibDecompress(zk, limit: plainCount).count == plainCount)
    }
  }
}
