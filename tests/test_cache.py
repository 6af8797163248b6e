"""The per-source build cache (qbank/cache.py): what it reuses, what invalidates it, what
it refuses to trust, and that a build from it writes the same bytes as a cold one."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qbank
import qbank.cache
import qbank.cache_key
import qbank.batch
import qbank.pipeline
from conftest import GUIDE, REPO, SAMPLES, needs_shared
from qbank.cache import SourceCache
from qbank.extractors import Options
from qbank.pipeline import build

FAST = Options(ocr_lang=None, ocr_correction=False)
NOTES = ("# Notes\n\nAmazon SageMaker trains models on managed instances and deploys them "
         "to endpoints.\n\n## Batch\n\nBatch transform runs inference over a whole dataset "
         "stored in Amazon S3.\n")


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """Names of the files process_source was asked to read (it still reads them)."""
    seen: list[str] = []
    real = qbank.pipeline.process_source

    def spy(path, *args, **kwargs):
        seen.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(qbank.pipeline, "process_source", spy)
    return seen


def notes_folder(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"notes{n}.md").write_text(NOTES.replace("Notes", f"Notes {n}"), encoding="utf-8")
    return folder


def run(inputs, out: Path, cache_dir: Path, options: Options = FAST, enrich: bool = True, **cache_args):
    cache = SourceCache(cache_dir, **cache_args)
    report = build([str(i) for i in inputs], out, progress=False, options=options, cache=cache,
                   enrich=enrich)
    assert not report.failed, report.failed
    return report, cache


def corpus(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def entries(cache_dir: Path) -> list[Path]:
    """The per-source entries (not the enrichment's, which is kept beside them)."""
    def of_a_source(path: Path) -> bool:
        try:
            return "enrichment" not in json.loads(gzip.decompress(path.read_bytes())).get("key", {}).get("kind", "")
        except (OSError, ValueError, EOFError, AttributeError):
            return True  # a spoiled entry: a source's, in these tests
    return sorted(p for p in cache_dir.glob("*.json.gz") if of_a_source(p))


# -- reuse and byte-identity -----------------------------------------------------------------

def test_unchanged_rebuild_of_the_samples_is_served_from_cache_byte_for_byte(tmp_path, calls, monkeypatch):
    options = Options()  # OCR and OCR correction on: every reader and extractor runs cold
    cold, _ = run([SAMPLES], tmp_path / "cold", tmp_path / "cache", options)
    assert len(calls) == 4 and not any(s.cached for s in cold.sources)
    assert len(entries(tmp_path / "cache")) == 4
    warmed = []
    monkeypatch.setattr(qbank.batch, "warm_up", lambda: warmed.append(1))
    calls.clear()
    warm, cache = run([SAMPLES], tmp_path / "warm", tmp_path / "cache", options)
    assert calls == [] and warmed == [] and cache.hits == 4 and cache.misses == 0
    assert all(s.cached for s in warm.sources)
    assert corpus(tmp_path / "warm") == corpus(tmp_path / "cold")  # manifest, audit, media too
    assert any(name.startswith("media/") for name in corpus(tmp_path / "warm"))

    # the same as a whole ``qbank build`` process: no model loaded, the summary says so
    script = ("import sys; from qbank.cli import main; code = main(sys.argv[1:]); "
              "print(sorted(m for m in ('kiwipiepy', 'langdetect', 'tesserocr', 'pytesseract', 'spacy') "
              "if m in sys.modules)); sys.exit(code)")
    process = subprocess.run(
        [sys.executable, "-c", script, "build", str(SAMPLES), "--out", str(tmp_path / "cli"),
         "--cache-dir", str(tmp_path / "cache")], env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "[]"
    assert "4 read (4 from cache), 0 failed" in process.stderr
    assert corpus(tmp_path / "cli") == corpus(tmp_path / "cold")


@needs_shared
def test_guide_from_cache_is_byte_identical(tmp_path, guide_corpus, calls):
    run([GUIDE], tmp_path / "cold", tmp_path / "cache", Options())
    calls.clear()
    warm, _ = run([GUIDE], tmp_path / "warm", tmp_path / "cache", Options())
    assert calls == [] and warm.sources[0].cached
    assert corpus(tmp_path / "warm") == corpus(tmp_path / "cold") == corpus(guide_corpus)


# -- what invalidates ------------------------------------------------------------------------

def test_changed_content_rebuilds_that_file_only(tmp_path, calls):
    folder = notes_folder(tmp_path / "in")
    run([folder], tmp_path / "a", tmp_path / "cache")
    (folder / "notes1.md").write_text(NOTES.replace("whole dataset", "whole data set"), encoding="utf-8")
    calls.clear()
    report, cache = run([folder], tmp_path / "b", tmp_path / "cache")
    assert calls == ["notes1.md"] and (cache.hits, cache.misses) == (2, 1)
    assert "whole data set" in (tmp_path / "b" / "knowledge.jsonl").read_text(encoding="utf-8")


def test_changed_extraction_option_invalidates(tmp_path, calls):
    folder = notes_folder(tmp_path / "in", 1)
    run([folder], tmp_path / "a", tmp_path / "cache")
    calls.clear()
    run([folder], tmp_path / "b", tmp_path / "cache", Options(ocr_lang=None, ocr_correction=True))
    assert calls == ["notes0.md"]
    calls.clear()
    run([folder], tmp_path / "c", tmp_path / "cache", Options(ocr_lang=None, ocr_correction=True))
    assert calls == []  # each option set has its own entry
    run([folder], tmp_path / "d", tmp_path / "cache", Options(ocr_lang="eng", ocr_correction=True))
    assert calls == ["notes0.md"]


def test_options_that_cannot_change_output_do_not_invalidate(tmp_path, calls):
    from dataclasses import replace

    folder = notes_folder(tmp_path / "in", 1)
    run([folder], tmp_path / "a", tmp_path / "cache")
    calls.clear()
    limits = replace(FAST.limits, timeout_per_source=5, max_input_bytes=10_000_000, max_ocr_pages=3)
    run([folder], tmp_path / "b", tmp_path / "cache", replace(FAST, jobs=1, limits=limits))
    assert calls == []
    run([folder], tmp_path / "c", tmp_path / "cache", replace(FAST, limits=replace(FAST.limits, max_pdf_pages=9)))
    assert calls == ["notes0.md"]  # a limit that can cut a source is in the key


def test_new_qbank_version_invalidates(tmp_path, calls, monkeypatch):
    folder = notes_folder(tmp_path / "in", 1)
    run([folder], tmp_path / "a", tmp_path / "cache")
    monkeypatch.setattr(qbank, "__version__", "99.0.0")
    calls.clear()
    run([folder], tmp_path / "b", tmp_path / "cache")
    assert calls == ["notes0.md"] and len(entries(tmp_path / "cache")) == 2


def test_editing_a_rule_file_or_the_code_invalidates(tmp_path, monkeypatch):
    fake_repo = tmp_path / "repo"
    shutil.copytree(REPO / "extract" / "data", fake_repo / "extract" / "data")
    with monkeypatch.context() as patch:
        patch.setattr(qbank.cache_key, "_REPO", fake_repo)
        qbank.cache_key.rules_fingerprint.cache_clear()
        before = qbank.cache_key.rules_fingerprint()
        rule = fake_repo / "extract" / "data" / "articles.json"
        rule.write_text(rule.read_text(encoding="utf-8").replace("{", "{ ", 1), encoding="utf-8")
        qbank.cache_key.rules_fingerprint.cache_clear()
        assert qbank.cache_key.rules_fingerprint() != before
    qbank.cache_key.rules_fingerprint.cache_clear()

    folder = notes_folder(tmp_path / "in", 1)
    run([folder], tmp_path / "a", tmp_path / "cache")
    for fingerprint in ("rules_fingerprint", "code_fingerprint"):
        with monkeypatch.context() as patch:
            patch.setattr(qbank.cache, fingerprint, lambda: "edited")
            _, cache = run([folder], tmp_path / f"b-{fingerprint}", tmp_path / "cache")
            assert cache.misses == 1 and cache.stored == 1
    _, cache = run([folder], tmp_path / "c", tmp_path / "cache")
    assert cache.hits == 1


def test_a_moved_file_is_read_again_under_its_new_path(tmp_path, calls):
    folder = notes_folder(tmp_path / "in", 1)
    run([folder], tmp_path / "a", tmp_path / "cache")
    (folder / "notes0.md").rename(folder / "renamed.md")
    calls.clear()
    run([folder], tmp_path / "b", tmp_path / "cache")
    assert calls == ["renamed.md"]
    assert "renamed/" in (tmp_path / "b" / "knowledge.jsonl").read_text(encoding="utf-8")


# -- what is not trusted ---------------------------------------------------------------------

def _spoil(path: Path, how: str, other: Path) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00garbage" * 50)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "flipped":  # one byte of the deflate stream: gzip's CRC catches it
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif how == "foreign":
        entry = json.loads(gzip.decompress(data))
        entry["layout"] = 0
        path.write_bytes(gzip.compress(json.dumps(entry).encode()))
    elif how == "other-key":  # a valid entry of another file, under this one's name
        path.write_bytes(other.read_bytes())
    elif how == "bad-shape":
        entry = json.loads(gzip.decompress(data))
        entry["result"]["extraction"]["questions"] = "not a list"
        path.write_bytes(gzip.compress(json.dumps(entry).encode()))
    elif how == "other-path-records":
        entry = json.loads(gzip.decompress(data))
        entry["result"]["extraction"]["knowledge"][0]["source"]["path"] = "elsewhere.md"
        path.write_bytes(gzip.compress(json.dumps(entry).encode()))


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "flipped", "foreign", "other-key",
                                 "bad-shape", "other-path-records"])
def test_a_spoiled_entry_is_ignored_and_rebuilt(tmp_path, calls, how):
    folder = notes_folder(tmp_path / "in", 2)
    run([folder], tmp_path / "a", tmp_path / "cache")
    cache = SourceCache(tmp_path / "cache")
    keys = [cache.key(folder / f"notes{n}.md", qbank.pipeline.display_path(folder / f"notes{n}.md"), FAST)
            for n in range(2)]
    spoiled, other = (cache.entry_path(k) for k in keys)
    _spoil(spoiled, how, other)
    calls.clear()
    _, cache = run([folder], tmp_path / "b", tmp_path / "cache")
    assert calls == ["notes0.md"] and (cache.hits, cache.misses, cache.stored) == (1, 1, 1)
    assert corpus(tmp_path / "b") == corpus(tmp_path / "a")
    calls.clear()
    run([folder], tmp_path / "c", tmp_path / "cache")
    assert calls == []  # written again, whole


def test_failed_sources_and_files_changed_while_read_are_not_cached(tmp_path, monkeypatch):
    folder = notes_folder(tmp_path / "in", 1)
    (folder / "empty.md").write_bytes(b"")
    report = build([str(folder)], tmp_path / "a", progress=False, options=FAST,
                   cache=SourceCache(tmp_path / "cache"))
    assert [s.path.rsplit("/", 1)[-1] for s in report.failed] == ["empty.md"]
    assert len(entries(tmp_path / "cache")) == 1
    real = qbank.pipeline.process_source

    def changed_meanwhile(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        result.sha256 = "0" * 64
        return result

    monkeypatch.setattr(qbank.pipeline, "process_source", changed_meanwhile)
    (folder / "empty.md").unlink()
    (folder / "new.md").write_text(NOTES.replace("Notes", "New"), encoding="utf-8")
    _, cache = run([folder], tmp_path / "b", tmp_path / "cache")
    assert cache.misses == 1 and cache.stored == 0 and len(entries(tmp_path / "cache")) == 1


# -- bypass, bounds, unwritable folders ------------------------------------------------------

def test_no_cache_bypasses_it(tmp_path, calls, capsys):
    from qbank.cli import main

    folder = notes_folder(tmp_path / "in", 1)
    args = ["build", str(folder), "--no-ocr", "--no-ocr-correction", "--cache-dir", str(tmp_path / "cache"),
            "--jobs", "1"]  # read in this process, where the spy is
    assert main(args + ["--out", str(tmp_path / "a")]) == 0
    assert len(entries(tmp_path / "cache")) == 1 and calls == ["notes0.md"]
    assert main(args + ["--out", str(tmp_path / "b"), "--no-cache"]) == 0
    assert calls == ["notes0.md"] * 2  # read again, though the entry is there
    shutil.rmtree(tmp_path / "cache")
    assert main(args + ["--out", str(tmp_path / "c"), "--no-cache"]) == 0
    assert not (tmp_path / "cache").exists()
    assert "from cache" in capsys.readouterr().err


def test_default_cache_folder_follows_xdg(tmp_path, monkeypatch, calls):
    from qbank.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert qbank.cache.default_cache_dir() == tmp_path / "xdg" / "qbank"
    folder = notes_folder(tmp_path / "in", 1)
    assert main(["build", str(folder), "--out", str(tmp_path / "out"), "-q", "--no-ocr"]) == 0
    assert len(entries(tmp_path / "xdg" / "qbank")) == 1
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the spec says
    assert qbank.cache.default_cache_dir() == Path.home() / ".cache" / "qbank"


def test_size_bound_evicts_least_recently_used(tmp_path, calls):
    folder = notes_folder(tmp_path / "in", 3)
    run([folder], tmp_path / "a", tmp_path / "cache", enrich=False)  # source entries only
    files = entries(tmp_path / "cache")
    sizes = {f: f.stat().st_size for f in files}
    cache = SourceCache(tmp_path / "cache")
    by_name = {n: cache.entry_path(cache.key(folder / f"notes{n}.md",
                                             qbank.pipeline.display_path(folder / f"notes{n}.md"), FAST))
               for n in range(3)}
    for age, n in enumerate((1, 0, 2)):  # notes1 oldest, then notes0, then notes2
        os.utime(by_name[n], (1_000_000 + age, 1_000_000 + age))
    (tmp_path / "cache" / "README").write_text("not an entry: never deleted")
    # a rebuild of notes1 alone touches it: now notes0 is the least recently used
    run([folder / "notes1.md"], tmp_path / "b", tmp_path / "cache", enrich=False)
    assert by_name[1].stat().st_mtime > 2_000_000
    room = sizes[by_name[1]] + sizes[by_name[2]]
    _, cache = run([folder / "notes1.md"], tmp_path / "c", tmp_path / "cache", enrich=False, max_bytes=room)
    assert cache.evicted == 1 and not by_name[0].exists() and by_name[1].exists() and by_name[2].exists()
    _, cache = run([folder / "notes2.md"], tmp_path / "d", tmp_path / "cache", enrich=False, max_bytes=0)
    assert entries(tmp_path / "cache") == [] and (tmp_path / "cache" / "README").exists()


@pytest.mark.parametrize("blocker", ["file", "file-parent"])
def test_a_cache_folder_that_cannot_be_written_does_not_fail_the_build(tmp_path, capsys, blocker):
    from qbank.cli import main

    (tmp_path / "blocker").write_text("a file where the cache folder should be")
    cache_dir = tmp_path / "blocker" if blocker == "file" else tmp_path / "blocker" / "qbank"
    folder = notes_folder(tmp_path / "in", 2)
    code = main(["build", str(folder), "--out", str(tmp_path / "out"), "-q", "--no-ocr",
                 "--cache-dir", str(cache_dir)])
    err = capsys.readouterr().err.splitlines()
    assert code == 0 and len(err) == 1 and err[0].startswith("qbank: warning: cache: cannot create"), err
    assert len((tmp_path / "out" / "knowledge.jsonl").read_text().splitlines()) == 4


def test_ocr_budget_entry_serves_budgets_it_fits(tmp_path, calls):
    """An entry built with one OCR budget serves another when its OCR was not capped and
    its scanned pages fit; a capped one only the same budget."""
    from dataclasses import replace

    scanned = SAMPLES / "scanned-questions.pdf"

    def budget(n: int) -> Options:
        return Options(ocr_correction=False, limits=replace(FAST.limits, max_ocr_pages=n))

    run([scanned], tmp_path / "a", tmp_path / "cache", budget(1))  # capped: one of two pages
    run([scanned], tmp_path / "b", tmp_path / "cache", budget(1))
    assert calls == ["scanned-questions.pdf"]
    run([scanned], tmp_path / "c", tmp_path / "cache", budget(2))  # not the capped one
    assert calls == ["scanned-questions.pdf"] * 2
    run([scanned], tmp_path / "d", tmp_path / "cache", budget(500))  # all pages fit
    assert calls == ["scanned-questions.pdf"] * 2
    assert corpus(tmp_path / "d") == corpus(tmp_path / "c") != corpus(tmp_path / "a")


def test_an_entrys_pictures_must_be_what_their_names_say():
    """Pictures travel in the entry (a hit writes them into media/): bytes that do not
    hash to their file name make the entry untrusted."""
    import base64
    import hashlib

    picture = b"\x89PNG not really"
    name = f"media/{hashlib.sha256(picture).hexdigest()}.png"
    good = {name: base64.b64encode(picture).decode("ascii")}
    assert qbank.cache._decode_media(good) == {name: picture}
    assert qbank.cache._decode_media({name: base64.b64encode(picture + b"!").decode("ascii")}) is None
    assert qbank.cache._decode_media({"media/../../etc/passwd.png": good[name]}) is None
    assert qbank.cache._decode_media({name: "not base64!"}) is None


def test_the_enrichment_is_cached_with_the_records_it_was_computed_from(tmp_path, monkeypatch):
    """An unchanged rebuild takes tags, domains and related from the cache (spaCy is not
    loaded); a changed source gives other records, and the enrichment runs again."""
    import qbank.enrich

    folder = notes_folder(tmp_path / "in", 2)
    run([folder], tmp_path / "a", tmp_path / "cache")
    ran = []
    real = qbank.enrich.enrich
    monkeypatch.setattr(qbank.enrich, "enrich", lambda q, k: (ran.append(1), real(q, k)))
    run([folder], tmp_path / "b", tmp_path / "cache")
    assert ran == [] and corpus(tmp_path / "b") == corpus(tmp_path / "a")
    (folder / "notes1.md").write_text(NOTES + "\n## Training\n\nHyperparameter tuning finds good settings.\n",
                                      encoding="utf-8")
    run([folder], tmp_path / "c", tmp_path / "cache")
    assert ran == [1]
    fresh = tmp_path / "fresh"
    build([str(folder)], fresh, progress=False, options=FAST)  # no cache at all
    assert corpus(tmp_path / "c") == corpus(fresh)
