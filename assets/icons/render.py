#!/usr/bin/env python3
"""Renders tagdesk.svg's shapes (rounded rectangles only) to PNG sizes without an SVG library:
each pixel is sampled 4x4 for smooth edges. Run from this folder: python3 render.py"""
import re, struct, zlib

svg = open("tagdesk.svg").read()
rects = []
for m in re.finditer(r'<rect ([^>]*)/>', svg):
    a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
    c = a["fill"].lstrip("#")
    rects.append((float(a["x"]), float(a["y"]), float(a["width"]), float(a["height"]),
                  float(a.get("rx", 0)), tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))))

def inside(px, py, r):
    x, y, w, h, rx, _ = r
    if not (x <= px <= x + w and y <= py <= y + h):
        return False
    cx = min(max(px, x + rx), x + w - rx)
    cy = min(max(py, y + rx), y + h - rx)
    return (px - cx) ** 2 + (py - cy) ** 2 <= rx * rx

def render(size):
    scale = 256.0 / size
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(4):
                for sx in range(4):
                    px, py = (i + (sx + 0.5) / 4) * scale, (j + (sy + 0.5) / 4) * scale
                    color = None
                    for r in rects:
                        if inside(px, py, r):
                            color = r[5]
                    if color:
                        acc[0] += color[0]; acc[1] += color[1]; acc[2] += color[2]; acc[3] += 1
            n = acc[3]
            if n:
                row += bytes([int(acc[0] / n), int(acc[1] / n), int(acc[2] / n), int(255 * n / 16)])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    open(f"tagdesk-{size}.png", "wb").write(png)

for size in (256, 128, 64, 48, 32):
    render(size)
