"""Pictures inside documents (Word media parts, images on PDF text pages) read by OCR.

One place decides what a picture yields, for every reader: its text and Tesseract's
confidence, or a note saying why there is none (OCR switched off, Tesseract missing, too
small to hold text, unreadable image). Each picture is read once per document, so a logo
repeated on every page costs one OCR run.
"""
from __future__ import annotations

import io

from ingest.document import Picture
from ingest.tesseract import PSM_BLOCK, OcrUnavailable, ocr_image

#: Pictures smaller than this (pixels, either side) hold no readable text.
MIN_SIDE = 24


class PictureReader:
    """OCR of a document's pictures in ``lang`` (``None``: pictures are only referenced);
    ``read`` maps each reference to what was read, for ``Document.pictures``."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.read: dict[str, Picture] = {}

    def picture(self, ref: str, data: bytes | None) -> Picture:
        if ref not in self.read:
            self.read[ref] = self._ocr(ref, data)
        return self.read[ref]

    def _ocr(self, ref: str, data: bytes | None) -> Picture:
        if self.lang is None:
            return Picture(ref, note="ocr_off")
        if data is None:
            return Picture(ref, note="unresolved")
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as image:
                if min(image.size) < MIN_SIDE:
                    return Picture(ref, note="too_small")
                result = ocr_image(image, self.lang, PSM_BLOCK)
        except OcrUnavailable:
            return Picture(ref, note="ocr_unavailable")
        except Exception as exc:  # an unreadable picture must not sink the document
            return Picture(ref, note=f"unreadable_{type(exc).__name__}")
        return Picture(ref, result.text, result.confidence)
