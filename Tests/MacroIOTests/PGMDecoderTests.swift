import Testing
import _TestSupport
import MacroCore
import MacroIO

@Suite struct PGMDecoderTests {
  @Test(arguments: ["gray8-pil", "plain", "raw16"])
  func decodesExactly(_ stem: String) throws {
    let image = try RasterImage.load(path: Fixtures.path(stem + ".pgm"))
    let expected = try Fixtures.expected(stem)
    #expect(image == expected)
  }

  @Test func pilP5MatchesThePNGOfTheSameImage() throws {
    let pgm = try RasterImage.load(path: Fixtures.path("gray8-pil.pgm"))
    let png = try RasterImage.load(path: Fixtures.path("gray8-default.png"))
    #expect(pgm == png)
  }

  func reason(_ text: String) -> String? { reason(Array(text.utf8)) }
  func reason(_ bytes: [UInt8]) -> String? {
    Fixtures.imageFailure { _ = try PGMDecoder.decode(bytes, path: "x.pgm") }
  }

  @Test func refusesMalformedFiles() {
    #expect(reason("P3 1 1 255 0 0 0")?.contains("not a PGM") == true)
    #expect(reason("P2 2 2")?.contains("truncated PGM header") == true)
    #expect(reason("P2 2 2 255 1 2 3")?.contains("truncated PGM data (3 of 4 samples)") == true)
    #expect(reason("P2 2 1 100 1 101")?.contains("exceeds maxval") == true)
    #expect(reason("P2 2 1 70000 1 1")?.contains("maxval 70000") == true)
    #expect(reason("P2 0 1 255")?.contains("must be positive") == true)
    #expect(reason("P2 1 1 255 x")?.contains("unexpected character") == true)
    #expect(reason(Array("P5 2 2 255\n".utf8) + [1, 2, 3])?.contains("truncated PGM data") == true)
    #expect(reason(Array("P5 2 1 1000\n".utf8) + [0, 1, 3])?.contains("truncated PGM data") == true)
    #expect(reason(Array("P5 1 1 1000\n".utf8) + [0x03, 0xE9])?.contains("exceeds maxval") == true)
  }

  @Test func plainFormatSkipsComments() throws {
    let image = try PGMDecoder.decode(Array("P2 # c\n3 # w\n1\n# m\n9\n0 # a\n 4 9".utf8), path: "x")
    #expect(image.samples == [0, 4, 9] && image.maxValue == 9 && image.width == 3)
  }
}
