#!/usr/bin/env python3
"""Other copies of the sample Word dump, as a user collects them: its PDF print and a scan.

    python3 scripts/make_sample_copies.py OUT_DIR [DOCX]

* ``OUT_DIR/exam-dump-print.pdf``: ``samples/exam-dump.docx`` printed to PDF by LibreOffice
  (a text layer; the same questions, laid out by another program).
* ``OUT_DIR/exam-dump-scan.pdf``: that print scanned: every page rendered to a 200-dpi
  greyscale picture, turned by a fraction of a degree as a sheet on a scanner glass is,
  and saved without a text layer, so only Tesseract reads it.

A build of ``samples/`` together with these gives each question of the dump once, the two
copies in its ``also_in`` (tests/test_dedup.py). Not written into ``samples/``: the demo
corpus stays one copy of each question. LibreOffice comes from
``scripts/install-system-deps.sh``.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pymupdf

REPO = Path(__file__).resolve().parent.parent
DOCX = REPO / "samples" / "exam-dump.docx"
#: resolution of the scan, and how far the sheet is turned (degrees)
SCAN_DPI = 200
SCAN_TILT = 0.4


def print_pdf(docx: Path, out: Path) -> Path:
    """``docx`` printed to ``out/<stem>-print.pdf`` by LibreOffice (own profile folder, so
    it runs beside a user's LibreOffice)."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
                        "--convert-to", "pdf", "--outdir", work, str(docx)],
                       check=True, capture_output=True, timeout=300)
        target = out / f"{docx.stem}-print.pdf"
        Path(work, f"{docx.stem}.pdf").replace(target)
    return target


def scan_pdf(printed: Path, target: Path) -> Path:
    """Every page of ``printed`` as a slightly turned greyscale picture, no text layer."""
    from PIL import Image

    source = pymupdf.open(printed)
    scan = pymupdf.open()
    for page in source:
        pixmap = page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY)
        picture = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
        picture = picture.rotate(SCAN_TILT, resample=Image.BICUBIC, fillcolor=255)
        sheet = scan.new_page(width=page.rect.width, height=page.rect.height)
        buffer = _png(picture)
        sheet.insert_image(sheet.rect, stream=buffer)
    scan.save(target, garbage=4, deflate=True)
    return target


def _png(picture) -> bytes:
    import io

    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    docx = Path(argv[1]) if len(argv) > 1 else DOCX
    printed = print_pdf(docx, out)
    scanned = scan_pdf(printed, out / f"{docx.stem}-scan.pdf")
    print(printed)
    print(scanned)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
