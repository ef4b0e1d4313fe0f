import Testing
import _TestSupport
import MacroCore
import MacroIO

@Suite struct PNGDecoderTests {
  static let fixtures = [
    "gray8-stored", "gray8-default", "gray8-tiny", "gray8-big", "gray16", "gray1", "gray-alpha8",
    "rgb8", "rgba8", "palette8", "palette2", "palette4-trns", "filters-gray8", "filters-rgb8",
  ]

  @Test(arguments: fixtures)
  func decodesExactlyWhatPILReports(_ stem: String) throws {
    let image = try RasterImage.load(path: Fixtures.path(stem + ".png"))
    let expected = try Fixtures.expected(stem)
    #expect(image.width == expected.width && image.height == expected.height)
    #expect(image.channels == expected.channels)
    #expect(image.maxValue == expected.maxValue)
    #expect(image.samples == expected.samples)
  }

  @Test func luminanceAndAlphaCompositing() throws {
    let rgb = try RasterImage.load(path: Fixtures.path("rgb8.png"))
    let g = rgb.grayLevels()
    for p in [0, 17, 149] {
      let s = rgb.samples[(3 * p)...].prefix(3).map(Double.init)
      let want = (0.299 * s[0] + 0.587 * s[1] + 0.114 * s[2]) / 255
      #expect(abs(g[p] - want) <= 1e-15)
    }
    let la = try RasterImage.load(path: Fixtures.path("gray-alpha8.png"))
    let gl = la.grayLevels()
    for p in [0, 5, 65] {
      let v = Double(la.samples[2 * p]) / 255, a = Double(la.samples[2 * p + 1]) / 255
      #expect(abs(gl[p] - (a * v + 1 - a)) <= 1e-15)  // composited onto white paper
    }
  }

  // MARK: - Refusals

  func reason(_ bytes: [UInt8]) -> String? {
    Fixtures.imageFailure { _ = try PNGDecoder.decode(bytes, path: "x.png") }
  }

  func patchIHDR(_ png: [UInt8], _ offset: Int, _ value: UInt8) -> [UInt8] {
    var d = PNGBytes.data(png, "IHDR")
    d[offset] = value
    return PNGBytes.replacing(png, "IHDR", with: d)
  }

  @Test func refusesNonPNG() {
    #expect(reason(Array("hello, world".utf8))?.contains("not a PNG") == true)
    #expect(Fixtures.imageFailure { _ = try RasterImage.decode(Array("GIF89a".utf8), path: "x") }?
      .contains("not a PNG or PGM") == true)
    #expect(Fixtures.imageFailure { _ = try RasterImage.load(path: "/nonexistent/shape.png") } == "cannot read the file")
  }

  @Test func refusesUnsupportedFormats() throws {
    let png = try Fixtures.bytes("gray8-default.png")
    // IHDR data: width(4) height(4) depth colorType compression filter interlace.
    #expect(reason(patchIHDR(png, 12, 1))?.contains("interlace") == true)
    #expect(reason(patchIHDR(png, 9, 5)) == "unsupported PNG color type 5")
    #expect(reason(patchIHDR(patchIHDR(png, 9, 2), 8, 4)) == "unsupported PNG bit depth 4 for color type 2")
    #expect(reason(patchIHDR(png, 8, 3)) == "unsupported PNG bit depth 3 for color type 0")
    #expect(reason(patchIHDR(png, 10, 1))?.contains("compression method") == true)
  }

  @Test func refusesBadChecksums() throws {
    let png = try Fixtures.bytes("gray8-stored.png")
    let idat = try #require(PNGBytes.chunkOffset(png, "IDAT"))
    // A flipped byte inside IDAT without a new CRC: the chunk CRC catches it.
    var flipped = png
    flipped[idat + 8 + 40] ^= 0x10
    #expect(reason(flipped)?.contains("bad CRC-32 in chunk IDAT") == true)
    // The same flip with a valid chunk CRC: a pixel byte of a stored block changed, so only the
    // zlib Adler-32 can catch it.
    var data = PNGBytes.data(png, "IDAT")
    data[40] ^= 0x10
    #expect(reason(PNGBytes.replacing(png, "IDAT", with: data))?.contains("bad zlib Adler-32") == true)
  }

  @Test func refusesTruncatedData() throws {
    let png = try Fixtures.bytes("gray8-default.png")
    #expect(reason(Array(png[..<(png.count / 2)]))?.contains("truncated PNG") == true)
    #expect(reason(Array(png[..<(png.count - 12)]))?.contains("missing IEND") == true)
    let data = PNGBytes.data(png, "IDAT")
    #expect(reason(PNGBytes.replacing(png, "IDAT", with: Array(data[..<(data.count / 2)])))?
      .contains("truncated deflate stream") == true)
    // A valid zlib stream that holds too few rows.
    let stored = try Fixtures.bytes("gray8-stored.png")
    let sd = PNGBytes.data(stored, "IDAT")
    // Rebuild as one stored block of the first 3 rows (24 bytes each incl. the filter byte).
    func zlibStored(_ raw: [UInt8]) -> [UInt8] {
      let n = raw.count, a = Inflate.adler32(raw)
      return [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), ~UInt8(n & 0xFF), ~UInt8(n >> 8)] + raw
        + [UInt8(a >> 24), UInt8(a >> 16 & 0xFF), UInt8(a >> 8 & 0xFF), UInt8(a & 0xFF)]
    }
    let rows = Array(sd[7..<(7 + 72)])
    #expect(try Inflate.zlibDecompress(zlibStored(rows)) == rows)
    #expect(reason(PNGBytes.replacing(stored, "IDAT", with: zlibStored(rows)))?.contains("truncated image data") == true)
    // One row too many: refused as soon as the inflated data passes the expected 17 × 24 bytes.
    let all = Array(sd[7..<(sd.count - 4)])
    #expect(all.count == 17 * 24)
    #expect(reason(PNGBytes.replacing(stored, "IDAT", with: zlibStored(all))) == nil)
    #expect(reason(PNGBytes.replacing(stored, "IDAT", with: zlibStored(all + rows.prefix(24)))) ==
      "inflated data longer than the expected 408 bytes")
  }

  @Test func refusesBadFilterType() throws {
    let png = try Fixtures.bytes("gray8-stored.png")
    var d = PNGBytes.data(png, "IDAT")
    #expect(d[2] & 0x07 == 1)  // a final stored block holds all rows (PIL, level 0, small image)
    d[7] = 9  // filter byte of row 0
    // Keep the Adler-32 valid so the filter check is reached.
    let raw = Array(d[7..<(d.count - 4)])
    let a = Inflate.adler32(raw)
    d.replaceSubrange((d.count - 4)..., with: [UInt8(a >> 24), UInt8(a >> 16 & 0xFF), UInt8(a >> 8 & 0xFF), UInt8(a & 0xFF)])
    #expect(reason(PNGBytes.replacing(png, "IDAT", with: d)) == "bad PNG filter type 9 on row 0")
  }
}
