"""Tesseract OCR through pytesseract: the one engine for scanned PDF pages and for pictures
embedded in Word files.

Two things this module decides for every caller:

* **one thread per Tesseract process.** Tesseract's own OpenMP threads make it about 5×
  slower on this 2-core machine (issue 5: 7.8 s/page against 1.4 s/page with
  ``OMP_THREAD_LIMIT=1``); parallelism comes from OCR'ing several pages at once instead.
* **a clear message when Tesseract is missing** (it is a system package, not a wheel), so
  a batch of text-layer PDFs and DOCX still builds and the user learns what to install.

Results carry Tesseract's mean word confidence so low-confidence pages can be flagged.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DEFAULT_LANG = "kor+eng"
#: Mean word confidence (0–100) below which OCR'd text is flagged as unreliable.
LOW_CONFIDENCE = 60.0
INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng"


class OcrUnavailable(RuntimeError):
    """Tesseract (or one of the requested languages) is not installed; the message says
    what to install."""


@dataclass(frozen=True)
class OcrText:
    """What Tesseract read: lines of text, the mean confidence of its words (``None`` when
    it found none) and the language setting used."""

    text: str
    confidence: float | None
    lang: str


@lru_cache(maxsize=None)
def installed_languages() -> frozenset[str]:
    """Languages Tesseract has models for; raises :class:`OcrUnavailable` without Tesseract."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(f"Tesseract OCR is not installed; {INSTALL_HINT}")
    try:
        import pytesseract  # noqa: F401  (a declared dependency; checked for a clear message)
    except ImportError:
        raise OcrUnavailable("pytesseract is not installed (pip install pytesseract)") from None
    listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, check=False)
    return frozenset(line.strip() for line in listing.stdout.splitlines()[1:] if line.strip())


def check_languages(lang: str) -> None:
    """Raise :class:`OcrUnavailable` unless every language of ``lang`` (``kor+eng``) is there."""
    missing = [code for code in lang.split("+") if code not in installed_languages()]
    if missing:
        raise OcrUnavailable(f"Tesseract has no model for {', '.join(missing)}; "
                             f"install tesseract-ocr-{missing[0]} (apt-get)")


#: Page segmentation modes. Pages: 4 = one column of text of varying sizes. Tesseract's
#: fully automatic layout (3) cut the sample question pages into false columns and
#: scrambled the lines (stems split from their ends, answers from their explanations);
#: question sheets and slides are single-column. Pictures: 6 = one uniform block (a
#: pasted screenshot, where automatic layout dropped the first word).
PSM_PAGE, PSM_BLOCK = 4, 6


def ocr_image(image: Any, lang: str = DEFAULT_LANG, psm: int = PSM_PAGE) -> OcrText:
    """OCR one image (PNG/JPEG bytes or a PIL image): Tesseract's text and the mean
    confidence of its words, from ONE Tesseract run writing both its ``txt`` and ``tsv``
    outputs. The text is Tesseract's own rendering, not words re-joined from the TSV:
    the Korean model reports syllables as separate "words", and only Tesseract's text
    renderer knows which of them had no space between them."""
    from PIL import Image
    from pytesseract import pytesseract as engine

    check_languages(lang)
    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # handed to Tesseract as uncompressed PPM/PGM: PNG encoding of a 300-dpi page cost
    # 0.09 s, 6 % of its OCR, for a file deleted a second later
    image.format = "PPM"
    with engine.save(image) as (base, input_name):
        engine.run_tesseract(input_name, base, "txt tsv", lang,
                             config=f"--psm {psm} -c tessedit_create_tsv=1")
        text = Path(f"{base}.txt").read_text(encoding="utf-8")
        tsv = Path(f"{base}.tsv").read_text(encoding="utf-8")
        for suffix in (".txt", ".tsv"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)
    return OcrText(_tidy(text), _mean_confidence(tsv), lang)


def _tidy(text: str) -> str:
    """Tesseract's text without trailing spaces, form feeds or runs of blank lines."""
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _mean_confidence(tsv: str) -> float | None:
    """Mean confidence of the recognised words in Tesseract's TSV (level 5 rows)."""
    rows = [row.split("\t") for row in tsv.splitlines()[1:]]
    confidences = [float(row[10]) for row in rows
                   if len(row) >= 12 and row[0] == "5" and row[11].strip() and float(row[10]) >= 0]
    return round(sum(confidences) / len(confidences), 1) if confidences else None
