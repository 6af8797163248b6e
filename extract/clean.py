"""Line-by-line text cleaning (``qbank clean``): normalization and watermark removal.

Lines have no pages, so each line stands for a page when the furniture detector learns
the watermark's vocabulary; band lines (headers/footers) need pages and are not looked for.
The OCR corrector plugs in here next.
"""
from __future__ import annotations

from extract.furniture import ICON_BULLET, FurnitureModel, Removal
from extract.watermark_shards import expand_anchors, learn_anchors, strip_shards
from extract.stray_tokens import strip_icon_bullets, strip_stray_tokens
from extract.normalize import normalize_text
from ingest.document import Line


def clean_lines(lines: list[str]) -> tuple[list[str], list[Removal]]:
    """One cleaned line per input line, and what was removed (line numbers 1-based)."""
    normalized = [normalize_text(text) for text in lines]
    pages = [[Line(text, number)] for number, text in enumerate(normalized, start=1) if text]
    anchors = expand_anchors(pages, learn_anchors(pages))
    model = FurnitureModel([], anchors)
    cleaned, removed = [], []
    for number, text in enumerate(normalized, start=1):
        body, strays = strip_stray_tokens(text)  # the watermark's tail with its anchor
        body, pieces = strip_shards(body, model) if anchors else (body, [])
        (body,), (icons,) = strip_icon_bullets([body])
        removed.extend(Removal(0, number, piece, "watermark-shard") for piece in pieces)
        removed.extend(Removal(0, number, piece, "stray-token") for piece in strays)
        removed.extend(Removal(0, number, piece, ICON_BULLET) for piece in icons)
        cleaned.append(body)
    return cleaned, removed
