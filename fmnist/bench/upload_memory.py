"""python -m fmnist bench upload-memory: peak memory of reading the worst uploads the app allows, each in a fresh process.

    python -m fmnist bench upload-memory          # every case, a table of peak-RSS deltas
    python -m fmnist bench upload-memory --cli    # the same through `python -m fmnist predict --json`

Each case is a file written beforehand (making it would cost memory too). A fresh Python process
(`python -m fmnist.bench.upload_memory --child FILE`) reads the file and calls `preprocess.read_upload` (what the
Predict page calls: the 28×28 and the thumbnail); its peak resident set size (VmHWM in /proc/self/status) is
compared with the same process reading a 28×28 PNG. The budget is a delta of at most 150 MB for every allowed
upload; the command exits with 1 when a case goes over it. With --cli the process is
`python -m fmnist predict --json FILE` instead.
"""

from __future__ import annotations

import io
import json
import math
import os
import resource
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

NAME = "upload-memory"
HELP = "peak memory of reading the largest uploads the app allows, each in a fresh process"
BUDGET_MB = 150


def add_arguments(parser) -> None:
    parser.add_argument("--cli", action="store_true", help="measure `python -m fmnist predict --json FILE` instead")
    parser.add_argument("--only", help="run only the cases whose name contains this text (and the 28x28 baseline)")


def garment(width: int, height: int):
    """A float picture in [0, 1]: a soft gradient background with a dark garment-like block in the middle."""
    import numpy as np

    x = np.linspace(0.85, 0.95, width, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 0.05, height, dtype=np.float32)[:, None]
    picture = x + y
    picture[height // 5 : 4 * height // 5, width // 3 : 2 * width // 3] = 0.2
    return picture


def pil_bytes(image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_raw(width: int, height: int, bit_depth: int, color_type: int, row) -> bytes:
    """A PNG written row by row (Pillow cannot write 16-bit colour), `row(y)` giving each row's bytes."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    compressor = zlib.compressobj(9)
    parts = [compressor.compress(b"\x00" + row(y)) for y in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def png16(width: int, height: int, channels: int) -> bytes:
    """A 16-bit gray (1 channel) or RGBA (4 channels) PNG of the garment picture, without its gradient.

    Rows longer than zlib's 32 kB window compress only through runs inside a row, hence the flat background.
    """
    import numpy as np

    picture = np.where(garment(width, height) < 0.5, np.float32(0.2), np.float32(0.9))
    alpha = np.where(picture < 0.5, 65535, 30000).astype(">u2")
    rows = {}

    def row(y: int) -> bytes:
        key = y >= picture.shape[0] // 5 and y < 4 * picture.shape[0] // 5
        if key not in rows:
            gray = (picture[y] * 65535).astype(">u2")
            pixels = gray[:, None] if channels == 1 else np.stack([gray, gray, gray, alpha[y]], axis=1)
            rows[key] = pixels.tobytes()
        return rows[key]

    return png_raw(width, height, 16, 0 if channels == 1 else 6, row)


def cases() -> dict:
    """Name -> a function making the file: the largest picture each format and mode may have."""
    import numpy as np
    from PIL import Image

    from fmnist.data import uploads

    side = int(math.sqrt(uploads.MAX_PIXELS / 6))
    w, h = 3 * side, 2 * side  # 3:2 at the cap for fully decoded formats (6000×4000).
    jw, jh = 8160, 6120  # The largest phone camera's JPEG, under MAX_JPEG_PIXELS.
    pw, ph = 4400, 2950  # 3:2 under MAX_PROGRESSIVE_JPEG_PIXELS.
    ww, wh = 3000, 2000  # 3:2 at MAX_WEBP_PIXELS.

    def gray8(width, height):
        return (garment(width, height) * 255).astype(np.uint8)

    def rgba8(width, height):
        gray = gray8(width, height)
        alpha = np.where(gray < 128, 255, 120).astype(np.uint8)
        return Image.fromarray(np.dstack([gray, gray, gray, alpha]))

    def rgba8_noisy(width, height, megabytes=9):
        # A garment with an incompressible patch, so that the file is nearly as large as an upload may be.
        pixels = np.asarray(rgba8(width, height)).copy()
        side = int(math.sqrt(megabytes * 2**20 / 4))
        pixels[:side, :side] = np.random.default_rng(0).integers(0, 256, (side, side, 4), dtype=np.uint8)
        return Image.fromarray(pixels)

    def palette_with_transparency(width, height):
        image = Image.fromarray(gray8(width, height)).quantize(16)
        return pil_bytes(image, "PNG", transparency=0)

    return {
        "baseline 28x28 PNG": lambda: pil_bytes(Image.fromarray(gray8(28, 28)), "PNG"),
        f"PNG RGBA 8-bit {w}x{h}": lambda: pil_bytes(rgba8(w, h), "PNG"),
        f"PNG RGBA 8-bit {w}x{h}, noisy": lambda: pil_bytes(rgba8_noisy(w, h), "PNG"),
        f"PNG RGBA 16-bit {w}x{h}": lambda: png16(w, h, 4),
        f"PNG gray 16-bit {w}x{h}": lambda: png16(w, h, 1),
        f"PNG LA {w}x{h}": lambda: pil_bytes(rgba8(w, h).convert("LA"), "PNG"),
        f"PNG RGB {w}x{h}": lambda: pil_bytes(rgba8(w, h).convert("RGB"), "PNG"),
        f"PNG palette+tRNS {w}x{h}": lambda: palette_with_transparency(w, h),
        f"PNG 1-bit {w}x{h}": lambda: pil_bytes(Image.fromarray(gray8(w, h)).convert("1"), "PNG"),
        f"GIF {w}x{h}": lambda: pil_bytes(Image.fromarray(gray8(w, h)).convert("P"), "GIF"),
        f"WebP RGBA lossless {ww}x{wh}": lambda: pil_bytes(rgba8(ww, wh), "WEBP", lossless=True, method=0),
        f"WebP RGB lossy {ww}x{wh}": lambda: pil_bytes(rgba8(ww, wh).convert("RGB"), "WEBP", quality=80),
        "BMP RGB 1800x1800 (10 MB)": lambda: pil_bytes(rgba8(1800, 1800).convert("RGB"), "BMP"),
        f"JPEG RGB {jw}x{jh}": lambda: pil_bytes(rgba8(jw, jh).convert("RGB"), "JPEG", quality=90),
        f"JPEG progressive 4:4:4 {pw}x{ph}": lambda: pil_bytes(
            rgba8(pw, ph).convert("RGB"), "JPEG", progressive=True, subsampling=0
        ),
        f"JPEG progressive CMYK {pw}x{ph}": lambda: pil_bytes(rgba8(pw, ph).convert("CMYK"), "JPEG", progressive=True),
        f"refused: JPEG progressive {jw}x{jh}": lambda: pil_bytes(rgba8(jw, jh).convert("RGB"), "JPEG", progressive=True),
        f"JPEG CMYK {jw}x{jh}": lambda: pil_bytes(rgba8(jw, jh).convert("CMYK"), "JPEG", quality=90),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB.

    VmHWM from /proc belongs to this program alone; `ru_maxrss` would carry over the parent's
    peak through fork, since exec does not reset it.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str) -> None:
    """Read one file the way the Predict page does and print the peak RSS (MiB) before and after."""
    from fmnist.data import preprocess

    data = Path(path).read_bytes()
    before = peak_rss_mb()
    try:
        upload = preprocess.read_upload(data)
        outcome = f"ok, thumbnail {upload.thumbnail.shape[1]}x{upload.thumbnail.shape[0]}"
    except preprocess.ImageError as error:
        outcome = f"refused: {error}"
    peak = peak_rss_mb()
    print(json.dumps({"before_mb": before, "peak_mb": peak, "outcome": outcome}))


def measure(path: Path, cli: bool) -> dict:
    """Peak RSS of a fresh process reading `path`: this module's child, or `python -m fmnist predict --json`."""
    from fmnist.settings import PROJECT_DIR

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    if cli:
        # `python -m fmnist predict --json FILE`, run through runpy so that the same process reports its peak.
        wrapper = "import runpy, sys\ntry:\n    runpy.run_module('fmnist', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        wrapper += "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024, file=sys.stderr)"
        command = [sys.executable, "-c", wrapper, "predict", "--json", str(path)]
        done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, env=env)
        peak = float(done.stderr.strip().splitlines()[-1])
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
        record = json.loads(line)
        outcome = f"refused: {record['error']}" if "error" in record else f"ok, {record.get('class_name')}"
        return {"peak_mb": peak, "before_mb": float("nan"), "outcome": outcome}
    command = [sys.executable, "-m", "fmnist.bench.upload_memory", "--child", str(path)]
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout)


def run(args, fail) -> int:
    """Measure every case (or those `--only` names) and print the table; 1 when a case is over the budget."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, make) in enumerate(cases().items()):
            if args.only and index and args.only not in name:
                continue
            path = Path(folder) / f"case{index}"
            content = make()
            path.write_bytes(content)
            del content
            results.append((name, path.stat().st_size, measure(path, args.cli)))
            path.unlink()
    baseline = results[0][2]["peak_mb"]
    print(f"{'upload':36s} {'file MB':>8s} {'peak MiB':>9s} {'delta MiB':>10s}  outcome")
    worst = 0.0
    for name, size, result in results:
        delta = result["peak_mb"] - baseline
        worst = max(worst, delta)
        print(f"{name:36s} {size / 2**20:8.2f} {result['peak_mb']:9.1f} {delta:10.1f}  {result['outcome'][:60]}")
    print(f"worst delta over the 28x28 baseline: {worst:.1f} MiB (budget: at most {BUDGET_MB} MB)")
    return 0 if worst <= BUDGET_MB else 1


if __name__ == "__main__":
    # The fresh process of one case: `python -m fmnist.bench.upload_memory --child FILE`.
    if sys.argv[1:2] != ["--child"] or len(sys.argv) != 3:
        sys.exit("usage: python -m fmnist.bench.upload_memory --child FILE (python -m fmnist bench upload-memory runs it)")
    child(sys.argv[2])
