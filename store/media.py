"""The corpus's ``media/`` folder: the pictures questions show, one file per content.

A picture a question shows (``images[]`` of its record) is kept as
``media/<sha256 of its bytes>.<ext>`` and named from the record's image entry
(``"media": "media/<sha256>.png"``): identical pictures (a logo, a page shared by two
questions, one exhibit in a dump and its PDF print rendered alike) are stored once, the
same inputs give the same files, and records never hold bytes, only the path.

How bytes flow (nothing here keeps more than one picture in memory):

1. readers leave ``Document.media`` (:mod:`ingest.media`): where each picture is;
2. after a source is extracted, :func:`attach_media` asks it for the pictures the
   source's question records reference, one at a time, and hands each to a
   :class:`MediaSink`, which writes it into the corpus's temp folder at once and returns
   its path for the record;
3. when the build knows its final records (one per question across sources),
   :meth:`MediaSink.prune` removes the files no record names (pictures of occurrences
   merged into another record, of sources that failed after their pictures were
   written); the folder is then switched in with the rest of the corpus.

A cache of extraction results can keep the records (with their paths) and the files
they name, and put those back through :meth:`MediaSink.put` (:func:`put_files`). So does a
batch build whose sources are read in other processes or on other machines: there a
source's pictures go into a :class:`MemoryFolder` and travel back with its records, and
the build puts them into the corpus (:mod:`qbank.batch`).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any, Protocol

#: The folder of the corpus that holds the pictures.
MEDIA_DIR = "media"
#: Extensions a media file may have (formats every browser shows).
MEDIA_EXTENSIONS = ("png", "jpg", "gif", "webp")
#: The name of a media file (content hash, extension): anything else in media/ is not ours.
MEDIA_NAME = re.compile(r"[0-9a-f]{64}\.(?:%s)" % "|".join(MEDIA_EXTENSIONS))
#: A record's ``media`` value.
MEDIA_PATH = re.compile(rf"{MEDIA_DIR}/{MEDIA_NAME.pattern}")
#: MIME type of each extension (the review page inlines files as data URIs).
MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class _BinaryWriter(Protocol):
    def write_bytes(self, relative: str, data: bytes) -> None: ...

    def remove(self, relative: str) -> None: ...


class MediaSink:
    """Writes media files into a corpus being built (:class:`store.writer.CorpusFolder`),
    each content once."""

    def __init__(self, folder: _BinaryWriter) -> None:
        self.folder = folder
        #: path -> bytes written, in the order written
        self.written: dict[str, int] = {}

    def put(self, data: bytes, ext: str) -> str:
        """Store ``data`` (a picture of type ``ext``) and return its corpus path."""
        if ext not in MEDIA_EXTENSIONS:
            raise ValueError(f"not a media extension: {ext!r}")
        path = f"{MEDIA_DIR}/{hashlib.sha256(data).hexdigest()}.{ext}"
        if path not in self.written:
            self.folder.write_bytes(path, data)
            self.written[path] = len(data)
        return path

    def prune(self, keep: Iterable[str]) -> dict[str, int]:
        """Remove the files written but not in ``keep``; return the files kept (path ->
        size), sorted by path."""
        keep = set(keep)
        for path in [p for p in self.written if p not in keep]:
            self.folder.remove(path)
            del self.written[path]
        return dict(sorted(self.written.items()))


class MemoryFolder:
    """A ``MediaSink`` folder that keeps the files in memory (``files``: path -> bytes),
    for a source read away from the corpus folder."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write_bytes(self, relative: str, data: bytes) -> None:
        self.files[relative] = data

    def remove(self, relative: str) -> None:
        self.files.pop(relative, None)


def put_files(sink: MediaSink, files: dict[str, bytes]) -> list[str]:
    """Store ``files`` (``media/<sha256>.<ext>`` -> bytes, as a :class:`MemoryFolder` or a
    cache entry holds them) with ``sink``; their paths, in the same order."""
    return [sink.put(data, name.rsplit(".", 1)[1]) for name, data in files.items()]


def media_paths(questions: Iterable[dict[str, Any]]) -> set[str]:
    """Every media path the records name."""
    return {image["media"] for q in questions for image in q.get("images") or []
            if isinstance(image.get("media"), str)}


#: Picture notes that mean the picture was never decoded: it gets no file either.
_NOT_DECODED = ("too_large", "page_too_complex")


def attach_media(document: Any, questions: list[dict[str, Any]], sink: MediaSink) -> list[str]:
    """Give each picture of ``questions`` (records of ``document``) its file in media/:
    fetched from ``document.media`` one at a time, stored by ``sink``, its path set as the
    image entry's ``media``. A picture that cannot be had keeps no ``media`` (its
    reference, OCR text and note stay). Returns the paths, in record order, once each."""
    source = getattr(document, "media", None)
    if source is None:
        return []
    found: dict[str, str | None] = {}
    paths: dict[str, None] = {}
    try:
        for record in questions:
            for image in record.get("images") or []:
                ref = image.get("ref")
                if not isinstance(ref, str):
                    continue
                if ref not in found:
                    picture = document.pictures.get(ref)
                    note = picture.note if picture is not None else None
                    file = None if note in _NOT_DECODED else source.get(ref)
                    found[ref] = None if file is None else sink.put(file.data, file.ext)
                path = found[ref]
                if path is not None:
                    image["media"] = path
                    paths[path] = None
    finally:
        source.close()
    return list(paths)
