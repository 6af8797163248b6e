#!/usr/bin/env python3
"""PDF throughput, side by side in one run (issue 5).

    python3 bench/bench_pdf.py [--guide PATH] [--ocr-pages N] [--runs N]

1. Text layer: the real OCR'd guide (../shared/data, 461 pages) laid out as a text-layer
   PDF, read by qbank's PDF reader (OCR off) against raw PyMuPDF ``page.get_text()`` over
   the same file. Target: ≤ 1.5× the raw time.
2. OCR: N scanned pages (guide pages rendered to 300-dpi greyscale pictures, image-only)
   read by qbank with ``--jobs 1`` and ``--jobs 2`` against the Tesseract command line
   alone (``OMP_THREAD_LIMIT=1``, same language, page mode and outputs) on the same page
   images, one after another. Targets: jobs 1 within 10 % of the CLI; jobs 2 ≥ 1.8× faster.
   qbank's engine (tesserocr: Tesseract's API, its own newer library build, models loaded
   once per process) is also timed alone on the same files, so what qbank adds around it
   (rendering, handing pixels over) and what the engine itself gains are told apart.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
GUIDE = REPO.parent / "shared" / "data" / "guide" / "ml-engineering-on-aws-ko.ocr.txt"
NANUM = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"


def guide_pdf(guide: Path) -> bytes:
    """The guide dump as a text-layer PDF: one PDF page per dump page, a line per line."""
    import pymupdf

    from ingest import read_document

    document = read_document(guide)
    font = pymupdf.Font(fontfile=NANUM)
    pdf = pymupdf.open()
    for page in document.pages:
        width = 60 + max((font.text_length(line.text, fontsize=9) for line in page.lines), default=100)
        target = pdf.new_page(width=width, height=40 + 13 * max(len(page.lines), 1))
        target.insert_font(fontname="nanum", fontfile=NANUM)
        for index, line in enumerate(page.lines):
            target.insert_text((20, 28 + 13 * index), line.text, fontname="nanum", fontsize=9)
    pdf.subset_fonts()
    return pdf.tobytes(garbage=3, deflate=True)


def scanned_pdf(text_pdf: bytes, pages: list[int]) -> bytes:
    """Pages of ``text_pdf`` as an image-only PDF (300-dpi greyscale pictures)."""
    import pymupdf

    source = pymupdf.open(stream=text_pdf, filetype="pdf")
    scan = pymupdf.open()
    for index in pages:
        page = source[index]
        picture = page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
        target = scan.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, stream=picture.tobytes("png"))
    return scan.tobytes(deflate=True)


def timed(function, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def raw_get_text(data: bytes) -> int:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        return sum(len(page.get_text()) for page in pdf)


def qbank_text_layer(data: bytes) -> int:
    from ingest.pdf_reader import read_pdf

    return len(read_pdf(data, "bench.pdf", "0" * 64, ocr_lang=None).pages)


def tesseract_cli(images: list[Path], lang: str, psm: int) -> None:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    for image in images:
        out = image.with_suffix("")
        subprocess.run(["tesseract", str(image), str(out), "-l", lang, "--psm", str(psm),
                        "-c", "tessedit_create_tsv=1", "txt", "tsv"],
                       check=True, capture_output=True, env=env)


def _has_tesserocr() -> bool:
    import importlib.util

    return importlib.util.find_spec("tesserocr") is not None


def tesseract_api(images: list[Path], lang: str, psm: int) -> None:
    """The engine qbank uses, alone: tesserocr's API, models loaded once, on the same files."""
    import tesserocr

    from ingest.tesseract import installation

    with tesserocr.PyTessBaseAPI(path=installation().models, lang=lang, psm=psm) as api:
        for image in images:
            api.SetImageFile(str(image))
            api.GetUTF8Text()
            api.AllWordConfidences()


def _library_version() -> str:
    import tesserocr

    return tesserocr.tesseract_version().split()[1]


def _cli_version() -> str:
    return subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guide", type=Path, default=GUIDE)
    parser.add_argument("--ocr-pages", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from ingest.ocr_pool import ocr_pages, render_page
    from ingest.tesseract import DEFAULT_LANG, PSM_PAGE

    import pymupdf

    text_pdf = guide_pdf(args.guide)
    pages = pymupdf.open(stream=text_pdf, filetype="pdf").page_count
    raw = timed(lambda: raw_get_text(text_pdf), args.runs)
    ours = timed(lambda: qbank_text_layer(text_pdf), args.runs)
    print(f"text layer: {args.guide.name} as PDF, {pages} pages, {len(text_pdf):,} bytes")
    print(f"  {'':38}{'min s':>8}{'median s':>10}{'pages/s':>10}")
    print(f"  {'raw PyMuPDF page.get_text()':38}{raw[0]:8.3f}{raw[1]:10.3f}{pages / raw[0]:10.0f}")
    print(f"  {'qbank PDF reader (OCR off)':38}{ours[0]:8.3f}{ours[1]:10.3f}{pages / ours[0]:10.0f}")
    print(f"  ratio (min) {ours[0] / raw[0]:.2f}x   (target <= 1.5x)")

    # OCR: the same page images for everyone; teaching pages from the middle of the book
    chosen = list(range(40, 40 + args.ocr_pages))
    scan = scanned_pdf(text_pdf, chosen)
    with tempfile.TemporaryDirectory() as folder:
        scan_doc = pymupdf.open(stream=scan, filetype="pdf")
        images = []
        for index in range(scan_doc.page_count):
            path = Path(folder) / f"page{index:03d}.png"
            render_page(scan_doc, index).save(path)
            images.append(path)
        indexes = list(range(len(images)))
        cli = timed(lambda: tesseract_cli(images, DEFAULT_LANG, PSM_PAGE), 1)[0]
        api = timed(lambda: tesseract_api(images, DEFAULT_LANG, PSM_PAGE), 1)[0] if _has_tesserocr() else None
        one = timed(lambda: ocr_pages(scan, indexes, DEFAULT_LANG, jobs=1), 1)[0]
        two = timed(lambda: ocr_pages(scan, indexes, DEFAULT_LANG, jobs=2), 1)[0]
    n = len(images)
    print(f"\nOCR: {n} scanned guide pages, 300 dpi, {DEFAULT_LANG}, page mode {PSM_PAGE}, "
          f"OMP_THREAD_LIMIT=1")
    print(f"  {'':38}{'total s':>8}{'s/page':>10}")
    print(f"  {'tesseract CLI alone (PNG in hand)':38}{cli:8.2f}{cli / n:10.2f}")
    if api is not None:
        print(f"  {'tesserocr API alone (PNG in hand)':38}{api:8.2f}{api / n:10.2f}   {cli / api:.2f}x faster than CLI "
              f"(Tesseract {_library_version()} in the wheel vs {_cli_version()}; models loaded once)")
    print(f"  {'qbank --jobs 1 (render + OCR)':38}{one:8.2f}{one / n:10.2f}   {one / cli:.2f}x CLI (target <= 1.10)")
    print(f"  {'qbank --jobs 2':38}{two:8.2f}{two / n:10.2f}   {one / two:.2f}x faster than jobs 1, "
          f"{cli / two:.2f}x than CLI (target >= 1.8)")


if __name__ == "__main__":
    main()
