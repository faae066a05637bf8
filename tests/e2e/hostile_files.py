"""Files a hostile or careless user might upload, made small on disk where the attack is in the header."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_header_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG whose header claims width×height grey pixels, with one tiny compressed row behind it (~100 bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * (width + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def png_all_black(width: int = 12000, height: int = 12000) -> bytes:
    """A real, complete all-black PNG of width×height (144 million pixels), which compresses to ~140 kB."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # Filter byte 0, then the row's pixels.
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"".join(parts)) + png_chunk(b"IEND", b"")


def truncated(path: Path, fraction: float = 0.5) -> bytes:
    content = path.read_bytes()
    return content[: int(len(content) * fraction)]


def small_png() -> bytes:
    """A valid 28×28 picture of a light bar on black (a trouser-ish shape)."""
    image = Image.new("L", (28, 28), 0)
    image.paste(255, (8, 2, 20, 26))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
HTML = b"<!DOCTYPE html><html><body><script>document.title='pwned'</script><img src=x onerror=alert(1)></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="28" height="28">'
    b'<rect width="28" height="28" fill="white"/><script>alert(1)</script></svg>'
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + random.Random(1).randbytes(2048)
RANDOM = random.Random(0).randbytes(4096)


def oversize(megabytes: float = 11) -> bytes:
    """A file over the 10 MB upload limit that starts like a PNG."""
    return small_png() + b"\x00" * int(megabytes * 2**20)


def png_just_over_the_cap() -> bytes:
    """A PNG header one row over the pixel cap for PNG (fmnist.data.uploads.MAX_PIXELS), with no pixel data behind it."""
    from fmnist.data import uploads

    width = 6000
    return png_header_bomb(width, uploads.MAX_PIXELS // width + 1)


def exif_rotated_jpeg(width: int = 1600, height: int = 800) -> bytes:
    """A wide JPEG stored on its side with EXIF orientation 6: upright it is tall, a dark bar at the top.

    For checking that the thumbnail the page shows is upright: stored, the bar is on the left.
    """
    image = Image.new("RGB", (width, height), (245, 245, 245))
    image.paste((30, 30, 30), (width // 10, height // 4, width // 3, 3 * height // 4))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()
