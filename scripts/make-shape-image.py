#!/usr/bin/python3
"""Draws the example image target: the letters "MO" as thick dark strokes on white paper,
128×128 grayscale, written to examples/shape.png (dark pixels carry the target's mass; see
ImageTarget). Antialiased by drawing at 4× and downsampling. Needs PIL (Debian python3-pil):
    /usr/bin/python3 scripts/make-shape-image.py [output.png]
"""
import os
import sys

from PIL import Image, ImageDraw

SIZE, SCALE = 128, 4
S = SIZE * SCALE
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "examples", "shape.png")

im = Image.new("L", (S, S), 255)
draw = ImageDraw.Draw(im)
stroke = 13 * SCALE


def p(x, y):
    return (x * SCALE, y * SCALE)


# M: two legs and a V between them, in the left half (x 8…62, y 30…98).
m = [p(14, 98), p(14, 32), p(35, 70), p(56, 32), p(56, 98)]
draw.line(m, fill=0, width=stroke, joint="curve")
for q in (m[0], m[-1]):  # square feet
    draw.rectangle([q[0] - stroke // 2, q[1] - stroke // 2, q[0] + stroke // 2, q[1]], fill=0)

# O: a ring in the right half (centre (94, 65), outer radius 29 × 34).
cx, cy, rx, ry = 94, 65, 27, 33
draw.ellipse([p(cx - rx, cy - ry), p(cx + rx, cy + ry)], fill=0)
t = 12
draw.ellipse([p(cx - rx + t, cy - ry + t), p(cx + rx - t, cy + ry - t)], fill=255)

im = im.resize((SIZE, SIZE), Image.LANCZOS)
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
im.save(out, optimize=True)
dark = sum(1 for v in im.getdata() if v < 128)
print(f"wrote {out}: {SIZE}x{SIZE}, {dark} dark pixels ({100 * dark / SIZE**2:.1f}%)")
