"""Tesseract OCR: the one engine for scanned PDF pages and for pictures embedded in Word
files.

Three things this module decides for every caller:

* **one thread per Tesseract process.** Tesseract's own OpenMP threads make it about 5×
  slower on this 2-core machine (issue 5: 7.8 s/page against 1.4 s/page with
  ``OMP_THREAD_LIMIT=1``); parallelism comes from OCR'ing several pages at once instead.
* **models loaded once per process.** Through tesserocr (Tesseract's C++ API, wheels that
  bundle the library) each process loads the ``kor+eng`` models once and hands pages over
  as pixels in memory. The ``tesseract`` command (through pytesseract, the fallback where
  tesserocr is not installed) reloads the models for every page and takes the page as a
  file: 0.12–0.17 s more per page, which decides a batch of small screenshots.
* **a clear message when Tesseract is missing** (the language models are a system
  package, ``tesseract-ocr-kor``), so a batch of text-layer PDFs and DOCX still builds and
  the user learns what to install.

Results carry Tesseract's mean word confidence so low-confidence pages can be flagged.
"""
from __future__ import annotations

import io
import os
import re
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


class PictureTooLarge(ValueError):
    """A picture has more pixels than the decoder guard allows (``Limits.max_picture_pixels``,
    set by :func:`ingest.pictures.guard_decoder`): Tesseract spent 400 s on a 64-megapixel
    noise picture, so no caller may hand it one, whether or not it checked first."""


@dataclass(frozen=True)
class OcrText:
    """What Tesseract read: lines of text, the mean confidence of its words (``None`` when
    it found none) and the language setting used."""

    text: str
    confidence: float | None
    lang: str


@dataclass(frozen=True)
class Installation:
    """Where Tesseract's language models are, and which languages they cover."""

    models: str
    languages: frozenset[str]


@lru_cache(maxsize=None)
def installation() -> Installation:
    """Tesseract's models as the ``tesseract`` command reports them (it follows
    ``TESSDATA_PREFIX`` as the library does); raises :class:`OcrUnavailable` without it."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(f"Tesseract OCR is not installed; {INSTALL_HINT}")
    listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, check=False)
    lines = listing.stdout.splitlines()
    folder = re.search(r'"(.+)"', lines[0]) if lines else None
    return Installation(folder.group(1) if folder else "",
                        frozenset(line.strip() for line in lines[1:] if line.strip()))


def installed_languages() -> frozenset[str]:
    """Languages Tesseract has models for; raises :class:`OcrUnavailable` without Tesseract."""
    return installation().languages


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
    confidence of its words. The text is Tesseract's own rendering, not words re-joined
    from its word boxes: the Korean model reports syllables as separate "words", and only
    Tesseract's text renderer knows which of them had no space between them."""
    from PIL import Image

    check_languages(lang)
    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))  # the decoder guard checks the header here
    if Image.MAX_IMAGE_PIXELS and image.width * image.height > Image.MAX_IMAGE_PIXELS:
        raise PictureTooLarge(f"{image.width} x {image.height} pixels, over the limit of "
                              f"{Image.MAX_IMAGE_PIXELS}")
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    api = _api(lang)
    if api is not None:
        return _ocr_in_process(api, image, lang, psm)
    return _ocr_by_command(image, lang, psm)


#: tesserocr API objects by (process, languages): a forked worker must not use its
#: parent's, so the process id is part of the key.
_apis: dict[tuple[int, str], Any] = {}


def _api(lang: str) -> Any:
    """This process's tesserocr API for ``lang`` (models loaded on first use), or ``None``
    where tesserocr is not installed or cannot load the models: the command then runs."""
    key = (os.getpid(), lang)
    if key not in _apis:
        try:
            import tesserocr

            _apis[key] = tesserocr.PyTessBaseAPI(path=installation().models, lang=lang)
        except (ImportError, RuntimeError):
            _apis[key] = None
    return _apis[key]


def _ocr_in_process(api: Any, image: Any, lang: str, psm: int) -> OcrText:
    """Pixels straight from memory into the loaded engine (no file, no process start)."""
    from tesserocr import RIL, iterate_level

    api.SetPageSegMode(psm)
    channels = len(image.getbands())
    api.SetImageBytes(image.tobytes(), image.width, image.height, channels, image.width * channels)
    text = api.GetUTF8Text()
    iterator = api.GetIterator()
    words = [(word.Confidence(RIL.WORD), word.GetUTF8Text(RIL.WORD) or "")
             for word in (iterate_level(iterator, RIL.WORD) if iterator is not None else ())]
    api.Clear()  # drop the page image and results now, not at the next page
    return OcrText(_tidy(text), _mean_confidence(words), lang)


def _ocr_by_command(image: Any, lang: str, psm: int) -> OcrText:
    """The ``tesseract`` command through pytesseract: ONE run writes both its ``txt`` and
    ``tsv`` outputs (text, and word confidences)."""
    try:
        from pytesseract import pytesseract as engine
    except ImportError:
        raise OcrUnavailable("neither tesserocr nor pytesseract is installed (pip install tesserocr)") from None
    # handed over as uncompressed PPM/PGM: PNG encoding of a 300-dpi page cost 0.09 s,
    # 6 % of its OCR, for a file deleted a second later
    image.format = "PPM"
    with engine.save(image) as (base, input_name):
        engine.run_tesseract(input_name, base, "txt tsv", lang,
                             config=f"--psm {psm} -c tessedit_create_tsv=1")
        text = Path(f"{base}.txt").read_text(encoding="utf-8")
        tsv = Path(f"{base}.tsv").read_text(encoding="utf-8")
        for suffix in (".txt", ".tsv"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)
    rows = [row.split("\t") for row in tsv.splitlines()[1:]]
    words = [(float(row[10]), row[11]) for row in rows if len(row) >= 12 and row[0] == "5"]  # level 5: words
    return OcrText(_tidy(text), _mean_confidence(words), lang)


def _tidy(text: str) -> str:
    """Tesseract's text without trailing spaces, form feeds or runs of blank lines."""
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _mean_confidence(words: list[tuple[float, str]]) -> float | None:
    """Mean confidence of the recognised words ((confidence, text) pairs, from either
    engine): empty words and Tesseract's -1 for "no confidence" do not count."""
    confidences = [confidence for confidence, text in words if confidence >= 0 and text.strip()]
    return round(sum(confidences) / len(confidences), 1) if confidences else None
