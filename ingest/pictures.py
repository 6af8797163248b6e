"""Pictures inside documents (Word media parts, images on PDF text pages) read by OCR.

One place decides what a picture yields, for every reader: its text and Tesseract's
confidence, or a note saying why there is none (OCR switched off, Tesseract missing, too
small to hold text, too large to decode, unreadable image). Each picture is read once per
document, so a logo repeated on every page costs one OCR run.

Size is judged before any pixel is decoded (issue 12: a 64-megapixel noise picture took
Tesseract 400 s). Pillow's ``Image.open`` reads only the header, so ``image.size`` is
known for the price of a few bytes; a picture over ``Limits.max_picture_pixels`` keeps its
reference, gets the note ``too_large`` and is never decoded. :func:`guard_decoder` also
sets Pillow's own decompression-bomb guard to the same limit, so a decode anywhere else in
the process (a reader that forgets the check, ``ocr_image`` given bytes) fails instead of
allocating gigabytes.
"""
from __future__ import annotations

import io
import re
import warnings

from ingest.document import Issue, Picture
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.tesseract import PSM_BLOCK, OcrUnavailable, PictureTooLarge, ocr_image

#: Pictures smaller than this (pixels, either side) hold no readable text.
MIN_SIDE = 24
#: The note of a picture left unread because it has more pixels than the limit allows.
TOO_LARGE = "too_large"


def guard_decoder(max_pixels: int) -> None:
    """Make Pillow refuse to decode any picture of more than ``max_pixels`` pixels.

    The one place the guard is set (every :class:`PictureReader` and every OCR worker
    calls it). Pillow warns above ``MAX_IMAGE_PIXELS`` and raises only above twice that;
    the warning is turned into the error here, so the limit is the limit."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def too_large_message(where: str, width: int | None, height: int | None, limits: Limits,
                      pixels: int | None = None) -> str:
    """The one-line message of a picture not read for its size."""
    if width is not None and height is not None:
        pixels = width * height
        size = f"{width} x {height} pixels, {pixels / 1e6:.1f} megapixels"
    else:
        size = f"{pixels / 1e6:.1f} megapixels" if pixels else "size unknown"
    return (f"{where}: picture of {size}, over the limit of {limits.max_picture_pixels / 1e6:g}; "
            "referenced, not read (raise --max-picture-mpx to read it)")


#: The pixel count in the message of Pillow's decompression-bomb guard.
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")


class PictureReader:
    """OCR of a document's pictures in ``lang`` (``None``: pictures are only referenced);
    ``read`` maps each reference to what was read, for ``Document.pictures``, and
    ``issues`` lists the pictures left unread for their size, for ``Document.issues``.

    ``limits`` is a keyword with the default limits so that every reader constructing
    a ``PictureReader(lang)`` keeps working; readers given limits should pass them."""

    def __init__(self, lang: str | None, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.lang = lang
        self.limits = limits
        self.read: dict[str, Picture] = {}
        self.issues: list[Issue] = []
        guard_decoder(limits.max_picture_pixels)

    def picture(self, ref: str, data: bytes | None) -> Picture:
        if ref not in self.read:
            self.read[ref] = self._ocr(ref, data)
        return self.read[ref]

    def too_large(self, ref: str, width: int, height: int, page: int | None = None) -> Picture:
        """Record ``ref`` as a picture too large to read (its size known without decoding)."""
        if ref not in self.read:
            self.read[ref] = Picture(ref, note=TOO_LARGE)
            self.issues.append(Issue("pictures", "picture_too_large",
                                     too_large_message(ref, width, height, self.limits),
                                     _page_of(ref) if page is None else page))
        return self.read[ref]

    def _ocr(self, ref: str, data: bytes | None) -> Picture:
        if self.lang is None:
            return Picture(ref, note="ocr_off")
        if data is None:
            return Picture(ref, note="unresolved")
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
                if width * height > self.limits.max_picture_pixels:
                    return self._refuse(ref, too_large_message(ref, width, height, self.limits))
                if min(image.size) < MIN_SIDE:
                    return Picture(ref, note="too_small")
                result = ocr_image(image, self.lang, PSM_BLOCK)
        except OcrUnavailable:
            return Picture(ref, note="ocr_unavailable")
        except PictureTooLarge as exc:  # the limit was raised or lowered meanwhile
            return self._refuse(ref, f"{ref}: picture of {exc}; referenced, not read")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # the guard fired first: Image.open checks the header's size itself
            pixels = _BOMB_PIXELS.search(str(exc))
            return self._refuse(ref, too_large_message(ref, None, None, self.limits,
                                                       int(pixels.group(1)) if pixels else None))
        except Exception as exc:  # an unreadable picture must not sink the document
            return Picture(ref, note=f"unreadable_{type(exc).__name__}")
        return Picture(ref, result.text, result.confidence)

    def _refuse(self, ref: str, message: str) -> Picture:
        self.issues.append(Issue("pictures", "picture_too_large", message, _page_of(ref)))
        return Picture(ref, note=TOO_LARGE)


def _page_of(ref: str) -> int | None:
    """The page of a PDF picture reference (``page 3 image 1``), if it is one."""
    parts = ref.split()
    return int(parts[1]) if len(parts) >= 2 and parts[0] == "page" and parts[1].isdigit() else None
