"""The pictures of a question, as files an export can carry.

A corpus may hold its pictures as ``DIR/media/<sha256>.<ext>``, an image record naming
its file in an optional ``media`` key (``"<sha256>.png"``; ``"media/<sha256>.png"`` reads
the same). Pictures are optional everywhere: an image record without ``media``, or whose
file is not there, is skipped and counted, and the question is exported without it. A
``media`` value is a file name, never a path: one with a folder in it other than
``media/``, or that leaves ``DIR/media``, is skipped the same way.
"""
from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.exports.common import clean

MEDIA_DIR = "media"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")

#: what formats say of a picture they could not carry
NOT_AVAILABLE = "pictures not exported (no file in DIR/media)"


@dataclass(frozen=True)
class Picture:
    """A picture file of the corpus: its file name (unique: named by content), path, the
    reference in the source document, and its OCR text (alt text)."""
    name: str
    path: Path
    ref: str
    text: str

    @property
    def mime(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def data(self) -> bytes:
        return self.path.read_bytes()


def media_file(corpus_dir: Path, value: Any) -> Path | None:
    """The file of a ``media`` value under ``corpus_dir/media``, or None when the value is
    not a plain file name there or the file is missing."""
    if not isinstance(value, str):
        return None
    name = value[len(MEDIA_DIR) + 1:] if value.startswith(MEDIA_DIR + "/") else value
    if not _NAME.fullmatch(name) or ".." in name:
        return None
    path = Path(corpus_dir) / MEDIA_DIR / name
    return path if path.is_file() else None


def pictures(corpus_dir: Path, q: dict[str, Any]) -> tuple[list[Picture], int]:
    """The question's pictures that have a file, in record order (one per file), and how
    many image records have none."""
    found: list[Picture] = []
    missing = 0
    for image in q.get("images") or []:
        if not isinstance(image, dict):
            continue
        path = media_file(corpus_dir, image.get("media"))
        if path is None:
            missing += 1
        elif path.name not in {p.name for p in found}:
            found.append(Picture(path.name, path, clean(image.get("ref")), clean(image.get("text"))))
    return found, missing
