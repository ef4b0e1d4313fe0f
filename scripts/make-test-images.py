#!/usr/bin/python3
"""Writes the image fixtures of Tests/Fixtures/images with PIL (Debian python3-pil).

For every image NAME.png / NAME.pgm it also writes NAME.txt: the pixels as PIL reports them
("width height channels maxValue" on the first line, then the samples, row 0 first,
channels interleaved), which the Swift decoders must reproduce exactly. Palette images are
listed expanded through their palette (RGB, or RGBA when the file has a tRNS chunk).
It also writes zlib streams (NAME.zz, with NAME.bin the uncompressed bytes) covering stored,
fixed-Huffman and dynamic-Huffman blocks. Run from anywhere:
    /usr/bin/python3 scripts/make-test-images.py
"""
import os
import random
import struct
import zlib

from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "images")
os.makedirs(OUT, exist_ok=True)
rng = random.Random(1)


def write_expected(name, w, h, channels, maxval, samples):
    assert len(samples) == w * h * channels
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        f.write(f"{w} {h} {channels} {maxval}\n")
        for r in range(h):
            row = samples[r * w * channels:(r + 1) * w * channels]
            f.write(" ".join(str(v) for v in row) + "\n")


def flat(data):
    out = []
    for px in data:
        out.extend(px if isinstance(px, tuple) else (px,))
    return out


def first_block_type(png_path):
    """BTYPE of the first deflate block of the PNG's zlib stream."""
    b = open(png_path, "rb").read()
    pos, idat = 8, b""
    while pos < len(b):
        n = struct.unpack(">I", b[pos:pos + 4])[0]
        if b[pos + 4:pos + 8] == b"IDAT":
            idat += b[pos + 8:pos + 8 + n]
        pos += 12 + n
    return (idat[2] >> 1) & 3


def save_png(im, name, expected_mode=None, **kw):
    path = os.path.join(OUT, name + ".png")
    im.save(path, **kw)
    back = Image.open(path)
    back.load()
    if back.mode == "P":
        back = back.convert("RGBA" if "transparency" in back.info else "RGB")
    if expected_mode:
        assert back.mode == expected_mode, (name, back.mode)
    mode = back.mode
    channels = {"L": 1, "I;16": 1, "I": 1, "1": 1, "LA": 2, "RGB": 3, "RGBA": 4}[mode]
    samples = flat(back.getdata())
    maxval = 255
    if mode == "1":
        samples, maxval = [1 if v else 0 for v in samples], 1
    if mode in ("I;16", "I"):
        maxval = 65535
    write_expected(name, back.width, back.height, channels, maxval, samples)
    raw = open(path, "rb").read()
    depth, ctype = raw[24], raw[25]
    print(f"{name}.png: mode {im.mode} -> {mode}, color type {ctype}, bit depth {depth}, "
          f"first deflate block type {first_block_type(path)}")
    return path


# Gray 8-bit, 23×17: a gradient plus noise (odd sizes exercise row padding).
w, h = 23, 17
gray = Image.new("L", (w, h))
gray.putdata([min(255, max(0, (11 * c + 7 * r) + rng.randint(-20, 20))) for r in range(h) for c in range(w)])
save_png(gray, "gray8-stored", compress_level=0)   # stored blocks
save_png(gray, "gray8-default")                    # default level: dynamic Huffman
save_png(gray.resize((4, 3)), "gray8-tiny")        # a few bytes: fixed Huffman

# Larger smooth image: every scanline filter chosen adaptively by PIL's zlib/libpng logic.
big = Image.new("L", (64, 48))
big.putdata([(c * c + 3 * r * r) // 7 % 256 for r in range(48) for c in range(64)])
save_png(big, "gray8-big", optimize=True)

# Gray 16-bit.
g16 = Image.new("I;16", (9, 7))
g16.putdata([rng.randint(0, 65535) for _ in range(9 * 7)])
save_png(g16, "gray16", expected_mode="I")  # PIL reads 16-bit gray back as mode I

# 1-bit.
bw = Image.new("1", (13, 5))
bw.putdata([rng.randint(0, 1) * 255 for _ in range(13 * 5)])
save_png(bw, "gray1")

# Gray + alpha, RGB, RGBA.
la = Image.new("LA", (11, 6))
la.putdata([(rng.randint(0, 255), rng.randint(0, 255)) for _ in range(66)])
save_png(la, "gray-alpha8")
rgb = Image.new("RGB", (15, 10))
rgb.putdata([(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)) for _ in range(150)])
save_png(rgb, "rgb8")
rgba = Image.new("RGBA", (7, 9))
rgba.putdata([tuple(rng.randint(0, 255) for _ in range(4)) for _ in range(63)])
save_png(rgba, "rgba8")

# Palette: 8-bit (many colors), 2-bit (4 colors), and 4-bit with a transparent entry (tRNS).
pal8 = rgb.quantize(colors=200)
save_png(pal8, "palette8")
pal2 = Image.new("P", (10, 7))
pal2.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 250, 240, 230])
pal2.putdata([rng.randint(0, 3) for _ in range(70)])
save_png(pal2, "palette2")
pal4 = Image.new("P", (9, 8))
pal4.putpalette([rng.randint(0, 255) for _ in range(3 * 12)])
pal4.putdata([rng.randint(0, 11) for _ in range(72)])
save_png(pal4, "palette4-trns", transparency=5)

# Hand-encoded PNGs whose row r uses filter r % 5 (None, Sub, Up, Average, Paeth), since PIL
# never picks Average; PIL decodes them for the expected pixels.
def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def write_filtered_png(name, w, h, ctype, channels, pixels):
    bpp, rb = channels, w * channels
    raw, prev = b"", [0] * rb
    for r in range(h):
        row, ft = pixels[r * rb:(r + 1) * rb], r % 5
        out = []
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ft]
            out.append((x - pred) % 256)
        raw += bytes([ft] + out)
        prev = row

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    path = os.path.join(OUT, name + ".png")
    open(path, "wb").write(png)
    back = Image.open(path)
    samples = flat(back.getdata())
    assert samples == pixels, name
    write_expected(name, w, h, channels, 255, samples)
    print(f"{name}.png: hand-encoded, filters 0-4 by row")


write_filtered_png("filters-gray8", 12, 10, 0, 1, [rng.randint(0, 255) for _ in range(120)])
write_filtered_png("filters-rgb8", 8, 10, 2, 3, [rng.randint(0, 255) for _ in range(240)])

# PGM P5 written by PIL (maxval 255).
p5 = os.path.join(OUT, "gray8-pil.pgm")
gray.save(p5)
back = Image.open(p5)
write_expected("gray8-pil", back.width, back.height, 1, 255, flat(back.getdata()))

# PGM written by hand: P2 with comments (maxval 1000) and P5 16-bit (maxval 40000).
vals = [rng.randint(0, 1000) for _ in range(6 * 4)]
with open(os.path.join(OUT, "plain.pgm"), "w") as f:
    f.write("P2\n# a plain graymap\n6 4 # width height\n1000\n")
    for r in range(4):
        f.write(" ".join(str(v) for v in vals[r * 6:(r + 1) * 6]) + "\n")
write_expected("plain", 6, 4, 1, 1000, vals)
vals = [rng.randint(0, 40000) for _ in range(5 * 3)]
with open(os.path.join(OUT, "raw16.pgm"), "wb") as f:
    f.write(b"P5 5 3\n40000\n" + b"".join(struct.pack(">H", v) for v in vals))
write_expected("raw16", 5, 3, 1, 40000, vals)

# Raw zlib streams: stored, fixed and dynamic blocks, plus long back-references.
text = (b"MacroOpt draws shapes with swarms. " * 40) + bytes(rng.randint(0, 255) for _ in range(3000))
streams = {
    "stored": zlib.compress(text, 0),
    "fixed": (lambda c: c.compress(text) + c.flush())(zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_FIXED)),
    "dynamic": zlib.compress(text, 9),
}
for name, z in streams.items():
    assert zlib.decompress(z) == text
    open(os.path.join(OUT, f"zlib-{name}.zz"), "wb").write(z)
    print(f"zlib-{name}.zz: first block type {(z[2] >> 1) & 3}, {len(z)} bytes")
open(os.path.join(OUT, "zlib-plain.bin"), "wb").write(text)
