"""The pictures questions show, kept in the corpus's media/ folder (store/media.py,
ingest/media.py): content-named, deterministic, atomic with the corpus, bounded."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import SAMPLES, read_jsonl
from ingest.limits import DEFAULT_LIMITS
from qbank.extractors import Options
from qbank.pipeline import build
from store.media import MEDIA_PATH, MediaSink, media_paths
from store.writer import OutputError

FAST = Options(ocr_correction=False)


def media_files(out: Path) -> dict[str, bytes]:
    folder = out / "media"
    return {f"media/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_samples_keep_the_pictures_their_questions_show(samples_corpus):
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    files = media_files(samples_corpus)
    named = media_paths(questions)
    assert named and set(files) == named  # every file named by a record, every name a file
    for path, data in files.items():
        assert MEDIA_PATH.fullmatch(path)
        assert path == f"media/{hashlib.sha256(data).hexdigest()}.{path.rsplit('.', 1)[1]}"
    # the Word dump's exhibits: the package's own bytes
    with zipfile.ZipFile(SAMPLES / "exam-dump.docx") as package:
        for q in questions:
            for image in q.get("images", []):
                if image["ref"].startswith("word/media/"):
                    assert files[image["media"]] == package.read(image["ref"])
    # a question read off a scanned page shows the page: a PNG render
    scanned = [q for q in questions if q["source"]["path"].endswith("scanned-questions.pdf")]
    assert scanned
    for q in scanned:
        pages = [image for image in q["images"] if image["ref"].startswith("page ")]
        assert [image["ref"] for image in pages] == [f"page {n}" for n in q["source"]["pages"]]
        assert all(files[image["media"]].startswith(b"\x89PNG") for image in pages)
        assert "image_dependent" not in q["flags"]  # the page is where its text came from
    # one page shared by several questions is one file
    assert len({image["media"] for q in scanned for image in q["images"]}) < len(scanned)
    manifest = json.loads((samples_corpus / "manifest.json").read_text())
    assert manifest["media"] == {"folder": "media/", "files": len(files),
                                 "bytes": sum(len(d) for d in files.values())}


def test_two_builds_give_the_same_media_and_a_rebuild_keeps_its_folder(samples_corpus, tmp_path):
    out = tmp_path / "again"
    assert not build([str(SAMPLES)], out, progress=False, compare=False).failed
    assert media_files(out) == media_files(samples_corpus)
    assert (out / "questions.jsonl").read_bytes() == (samples_corpus / "questions.jsonl").read_bytes()
    # media/ belongs to the corpus: the folder is replaced as a whole, with it
    report = build([str(SAMPLES / "exam-dump.docx")], out, progress=False, options=FAST, compare=False)
    assert report.written and not report.failed
    named = media_paths(read_jsonl(out / "questions.jsonl"))
    assert set(media_files(out)) == named and len(named) == 2  # the scanned page is gone
    # ... but a file there that no build writes is not ours to delete
    (out / "media" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="media/notes.txt"):
        build([str(SAMPLES / "exam-dump.docx")], out, progress=False, options=FAST)


def test_no_media_writes_references_only(tmp_path):
    out = tmp_path / "out"
    build([str(SAMPLES / "exam-dump.docx")], out, progress=False, options=FAST, media=False)
    questions = read_jsonl(out / "questions.jsonl")
    assert any(q.get("images") for q in questions)
    assert not media_paths(questions) and not (out / "media").exists()
    assert json.loads((out / "manifest.json").read_text())["media"]["files"] == 0


def test_pictures_over_the_pixel_limit_are_not_kept(tmp_path):
    """The picture limit holds for media too: judged from the header, never decoded."""
    limits = replace(DEFAULT_LIMITS, max_picture_pixels=1_000)
    out = tmp_path / "out"
    build([str(SAMPLES / "exam-dump.docx")], out, progress=False,
          options=Options(ocr_correction=False, ocr_lang=None, limits=limits))
    questions = read_jsonl(out / "questions.jsonl")
    assert any(q.get("images") for q in questions) and not media_paths(questions)


def test_pdf_renders_are_made_on_demand_within_the_limit():
    from ingest import read_document

    document = read_document(SAMPLES / "scanned-questions.pdf", "scan.pdf", jobs=1)
    # nothing rendered while reading: the source knows pages and regions, not pixels
    assert all(isinstance(place, tuple) for place in document.media._places.values())
    document.media.limits = replace(DEFAULT_LIMITS, max_picture_pixels=60_000)
    file = document.media.get("page 1")
    document.media.close()
    from PIL import Image

    with Image.open(io.BytesIO(file.data)) as image:
        assert image.format == "PNG" and image.width * image.height <= 60_000
    assert document.media.get("page 99") is None


def test_picture_files_browsers_show():
    from PIL import Image

    from ingest.media import picture_file

    def encoded(fmt: str, size=(40, 30)) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", size, "white").save(out, fmt)
        return out.getvalue()

    assert picture_file(encoded("PNG"), 10_000).ext == "png"
    assert picture_file(encoded("JPEG"), 10_000).ext == "jpg"
    bmp = picture_file(encoded("BMP"), 10_000)
    assert bmp.ext == "png" and bmp.data.startswith(b"\x89PNG")  # converted
    assert picture_file(encoded("PNG", (200, 200)), 10_000) is None  # over the limit
    assert picture_file(b"<svg xmlns='http://www.w3.org/2000/svg'/>", 10_000) is None
    assert picture_file(encoded("PNG")[:60], 10_000) is None  # truncated


def test_sink_stores_each_content_once_and_prunes():
    class Folder:
        def __init__(self):
            self.files: dict[str, bytes] = {}

        def write_bytes(self, relative, data):
            assert relative not in self.files
            self.files[relative] = data

        def remove(self, relative):
            del self.files[relative]

    folder = Folder()
    sink = MediaSink(folder)
    a, b = sink.put(b"one", "png"), sink.put(b"two", "jpg")
    assert sink.put(b"one", "png") == a and len(folder.files) == 2
    assert sink.prune([b]) == {b: 3} and list(folder.files) == [b]
    with pytest.raises(ValueError):
        sink.put(b"x", "svg")
