"""Draws .claude-plugin/icon.png (512x512): a ferry crossing between two shores. Pure stdlib."""
import math
import struct
import zlib

W = H = 512


def pixel(x, y):
    # sky to sea gradient
    if y < 300:
        t = y / 300
        r, g, b = int(255 - 80 * t), int(214 - 60 * t), int(80 + 60 * t)
    else:
        t = (y - 300) / 212
        r, g, b = int(30 + 10 * math.sin(x / 18 + y / 9)), int(110 - 40 * t), int(190 - 60 * t)
    # two shores (left yellow = HF, right purple = ModelScope)
    if y > 250 and x < 70 - (y - 250) * 0.15:
        r, g, b = 255, 210, 30
    if y > 250 and x > 442 + (y - 250) * 0.15:
        r, g, b = 98, 75, 230
    # hull
    if 290 <= y <= 340 and 120 + (y - 290) * 0.8 <= x <= 392 - (y - 290) * 0.8:
        r, g, b = 245, 245, 250
    # cabin
    if 230 <= y < 290 and 190 <= x <= 322:
        r, g, b = 235, 70, 60
        if 248 <= y <= 268 and any(s <= x <= s + 22 for s in (205, 245, 285)):
            r, g, b = 250, 250, 255
    # funnel
    if 195 <= y < 230 and 240 <= x <= 272:
        r, g, b = 40, 40, 50
    return r, g, b, 255


rows = []
for y in range(H):
    row = bytearray([0])
    for x in range(W):
        row.extend(pixel(x, y))
    rows.append(bytes(row))
raw = b"".join(rows)


def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
with open(".claude-plugin/icon.png", "wb") as f:
    f.write(png)
print(f"wrote .claude-plugin/icon.png ({len(png)} bytes)")
