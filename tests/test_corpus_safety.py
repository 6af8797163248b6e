"""Hostile inputs and hostile moments (issue 12): special files, non-UTF-8 names, the
corpus folder replaced whole or not at all, empty builds, the lock, unwritable outputs,
Ctrl-C, closed stdout, ``qbank clean`` in bounded memory, per-source time budgets, the
limit options, and ``kill -9`` at several moments of a real build.

Every hostile case is made here, small; each test asserts the one-line error naming the
file, no traceback, that the rest of the batch still built, and the corpus state."""
from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, read_jsonl

QBANK = [sys.executable, "-m", "qbank.cli"]
FAST = ["--no-ocr", "--no-ocr-correction", "-q"]
NOTES = ("# Notes\n\nAmazon SageMaker trains models on managed instances and deploys them "
         "to endpoints.\n\n## Batch\n\nBatch transform runs inference over a whole dataset "
         "stored in Amazon S3.\n")
CORPUS_FILES = ("questions.jsonl", "knowledge.jsonl", "manifest.json",
                "audit/furniture.jsonl", "audit/ocr_corrections.jsonl")


def run(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(QBANK + list(args), cwd=REPO, text=True, timeout=timeout, **kwargs)


def errors_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("qbank: ")]


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Exception" not in stderr, stderr


def notes(folder: Path, name: str = "notes.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(NOTES, encoding="utf-8")
    return folder / name


def snapshot(out: Path) -> dict[str, bytes]:
    return {f: (out / f).read_bytes() for f in CORPUS_FILES if (out / f).exists()}


def assert_consistent(out: Path) -> dict:
    """The manifest's checksums and counts agree with the JSONL files beside it."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["outputs"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert data.count(b"\n") == entry["records"], name
    return manifest


def leftovers(out: Path) -> list[str]:
    """What builds may leave beside or in ``out`` besides the corpus and the lock file."""
    beside = [p.name for p in out.parent.iterdir()
              if p.name.startswith(f".{out.name}.") and p.name != f".{out.name}.qbank-lock"]
    inside = [p.name for p in out.rglob("*.tmp")] if out.exists() else []
    return beside + inside


def build_main(capsys, *args: str) -> tuple[int, list[str]]:
    """``qbank build`` in this process (fast: no interpreter start-up); its stderr lines."""
    from qbank.cli import main

    code = main(["build", *args])
    err = capsys.readouterr().err
    assert_no_traceback(err)
    return code, errors_of(err)


# -- 1. only regular files ---------------------------------------------------------------

def test_special_files_fail_alone_without_blocking(tmp_path):
    folder = tmp_path / "in"
    notes(folder)
    os.mkfifo(folder / "pipe.md")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.md"))
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "loop").symlink_to(folder)  # a symlinked folder inside: not entered
    os.mkfifo(tmp_path / "given-fifo")
    (tmp_path / "random.txt").symlink_to("/dev/urandom")
    long_missing = tmp_path / ("n" * 300 + ".txt")  # ENAMETOOLONG: the input's fault
    out = tmp_path / "out"
    try:
        result = run("build", str(folder), str(tmp_path / "given-fifo"), str(tmp_path / "random.txt"),
                     str(long_missing), "--out", str(out), *FAST, timeout=30)
    finally:
        sock.close()
    assert_no_traceback(result.stderr)
    assert result.returncode == 1
    errors = errors_of(result.stderr)
    expected = {"pipe.md": "not a regular file (FIFO)", "sock.md": "not a regular file (socket)",
                "zero.md": "not a regular file (character device)",
                "given-fifo": "not a regular file (FIFO)",
                "random.txt": "not a regular file (character device)",
                "n" * 300 + ".txt": "File name too long"}
    assert len(errors) == len(expected), errors
    for name, message in expected.items():
        (line,) = [e for e in errors if f"/{name}: " in e]
        assert line.startswith("qbank: error: ") and message in line
    assert not any("--out" in e or "cannot write" in e for e in errors)
    knowledge = read_jsonl(out / "knowledge.jsonl")
    assert {k["source"]["path"].rsplit("/", 1)[1] for k in knowledge} == {"notes.md"}
    assert len(knowledge) == 2  # the folder was walked once, not again through the loop
    manifest = assert_consistent(out)
    assert manifest["totals"] == dict(manifest["totals"], sources=7, failed=6)


def test_read_document_refuses_special_files_before_opening(tmp_path):
    from ingest.registry import IngestError, read_document

    os.mkfifo(tmp_path / "fifo")  # opening it for reading would block forever
    for path, kind in ((tmp_path / "fifo", "FIFO"), (Path("/dev/zero"), "character device")):
        with pytest.raises(IngestError, match=rf"^x: not a regular file \({kind}\)$"):
            read_document(path, "x")


# -- 2. file names that are not UTF-8 -------------------------------------------------------

def test_non_utf8_file_names_are_read_and_escaped(tmp_path, capsys):
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    names = [b"bad-\xff.md", "한글 노트.md".encode("cp949")]
    for name in names:
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(NOTES)
    corpora = []
    for out in ("a", "b"):
        code, errors = build_main(capsys, str(tmp_path / "in"), "--out", str(tmp_path / out), *FAST)
        assert code == 0, errors
        corpora.append(snapshot(tmp_path / out))
    assert corpora[0] == corpora[1]  # deterministic, ids too
    for data in corpora[0].values():
        data.decode("utf-8")  # strict: the corpus is UTF-8
    knowledge = read_jsonl(tmp_path / "a" / "knowledge.jsonl")
    paths = {k["source"]["path"].rsplit("/", 1)[1] for k in knowledge}
    assert paths == {name.decode("utf-8", "backslashreplace") for name in names}
    assert "bad-\\xff.md" in paths
    assert {k["id"] for k in knowledge} >= {"bad--xff/s1", "bad--xff/s2"}
    manifest = assert_consistent(tmp_path / "a")
    assert {s["path"].rsplit("/", 1)[1] for s in manifest["sources"]} == paths


def test_writer_never_fails_on_a_lone_surrogate():
    from store.writer import dumps_json, dumps_line

    record = {"source": {"path": "bad-\udcff.txt"}, "text": "x\ud800y"}
    for text in (dumps_line(record), dumps_json(record)):
        text.encode("utf-8")
        assert json.loads(text) == {"source": {"path": "bad-\\xff.txt"}, "text": "x\\ud800y"}


# -- 3. the corpus folder is replaced as a whole ------------------------------------------

def _old_corpus(tmp_path: Path, capsys) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    code, errors = build_main(capsys, str(notes(tmp_path / "old", "old.md")), "--out", str(out), *FAST)
    assert code == 0, errors
    return out, snapshot(out)


def test_rebuild_replaces_the_folder_and_cleans_what_dead_builds_left(tmp_path, capsys):
    out, old = _old_corpus(tmp_path, capsys)
    stale = tmp_path / ".out.qbank-tmp-999999"  # a build killed while writing
    (stale / "audit").mkdir(parents=True)
    (stale / "questions.jsonl").write_text("{half")
    (out / ".questions.jsonl.ab12cd.tmp").write_bytes(b"")  # what the per-file writer left
    code, errors = build_main(capsys, str(notes(tmp_path / "new")), "--out", str(out), *FAST)
    assert code == 0, errors
    assert snapshot(out) != old and assert_consistent(out)["totals"]["knowledge"] == 2
    assert leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == ["audit", "knowledge.jsonl", "manifest.json", "questions.jsonl"]


def test_two_rename_fallback_and_its_recovery(tmp_path, capsys, monkeypatch):
    import store.writer

    monkeypatch.setattr(store.writer, "exchange", lambda a, b: False)  # no renameat2 here
    out, old = _old_corpus(tmp_path, capsys)
    code, _ = build_main(capsys, str(notes(tmp_path / "new")), "--out", str(out), *FAST)
    assert code == 0 and snapshot(out) != old and leftovers(out) == []
    # a crash between the two renames: DIR gone, the previous corpus beside it, the new one half-made
    new = snapshot(out)
    out.rename(tmp_path / ".out.qbank-old")
    (tmp_path / ".out.qbank-tmp-999999").mkdir()
    (tmp_path / "empty").mkdir()
    code, errors = build_main(capsys, str(tmp_path / "empty"), "--out", str(out), *FAST)
    assert code == 3 and "nothing to build" in errors[-1]
    assert snapshot(out) == new and leftovers(out) == []  # put back, then left alone


def test_full_disk_leaves_the_previous_corpus(tmp_path, capsys, monkeypatch):
    from store.writer import CorpusFolder

    out, old = _old_corpus(tmp_path, capsys)
    real_write, calls = CorpusFolder.write, []

    def write(self, relative, text):
        calls.append(relative)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(self, relative, text)

    monkeypatch.setattr(CorpusFolder, "write", write)
    code, errors = build_main(capsys, str(notes(tmp_path / "new")), "--out", str(out), *FAST)
    assert code == 2 and errors == [f"qbank: cannot write {out}: No space left on device; {out} unchanged"]
    assert snapshot(out) == old and leftovers(out) == []


def test_a_folder_with_other_files_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "mine"
    notes(out, "thesis.md")
    code, errors = build_main(capsys, str(notes(tmp_path / "in")), "--out", str(out), *FAST)
    assert code == 2 and len(errors) == 1 and "thesis.md" in errors[0]
    assert sorted(p.name for p in out.iterdir()) == ["thesis.md"]


# -- 4. empty and failed builds ------------------------------------------------------------

def test_empty_or_failed_build_keeps_the_corpus(tmp_path, capsys):
    out, old = _old_corpus(tmp_path, capsys)
    (tmp_path / "empty").mkdir()
    code, errors = build_main(capsys, str(tmp_path / "empty"), "--out", str(out), *FAST)
    assert code == 3 and errors == [f"qbank: nothing to build: no input file found; {out} unchanged "
                                    "(--allow-empty writes an empty corpus)"]
    assert snapshot(out) == old
    (tmp_path / "bad.txt").write_text("")
    code, errors = build_main(capsys, str(tmp_path / "bad.txt"), "--out", str(out), *FAST)
    assert code == 1 and len(errors) == 2 and "bad.txt: file is empty" in errors[0]
    assert errors[1].startswith("qbank: every input failed; ") and "keeps its previous corpus" in errors[1]
    assert snapshot(out) == old and leftovers(out) == []
    code, errors = build_main(capsys, str(tmp_path / "bad.txt"), "--out", str(out), "--allow-empty", *FAST)
    assert code == 1 and len(errors) == 1
    manifest = assert_consistent(out)
    assert manifest["totals"]["failed"] == 1 and (out / "questions.jsonl").read_bytes() == b""
    # a new folder gets its (empty) corpus: the manifest says what failed
    code, errors = build_main(capsys, str(tmp_path / "bad.txt"), "--out", str(tmp_path / "fresh"), *FAST)
    assert code == 1 and assert_consistent(tmp_path / "fresh")["totals"]["failed"] == 1


# -- 5. the lock ---------------------------------------------------------------------------

def test_a_second_build_of_the_same_folder_refuses_at_once(tmp_path, capsys, monkeypatch):
    import qbank.pipeline

    out, old = _old_corpus(tmp_path, capsys)
    with open(tmp_path / ".out.qbank-lock", "w") as holder:  # what a running build holds
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write("4242\n")
        holder.flush()
        monkeypatch.setattr(qbank.pipeline, "expand_inputs", lambda *a, **k: pytest.fail("read inputs"))
        started = time.monotonic()
        code, errors = build_main(capsys, str(notes(tmp_path / "new")), "--out", str(out), *FAST)
        assert time.monotonic() - started < 2
    assert code == 75 and len(errors) == 1 and "pid 4242" in errors[0] and str(out) in errors[0]
    assert snapshot(out) == old and leftovers(out) == []


# -- 6. outputs checked before any input is read ------------------------------------------

def test_unwritable_outputs_fail_before_reading(tmp_path, capsys, monkeypatch):
    import qbank.pipeline
    import store.writer

    monkeypatch.setattr(qbank.pipeline, "expand_inputs", lambda *a, **k: pytest.fail("read inputs"))
    given = str(notes(tmp_path / "in"))
    (tmp_path / "file").write_text("x")
    cases = {str(tmp_path / "file"): "exists and is not a folder",
             str(tmp_path / "file" / "sub"): "is not a folder"}
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    (tmp_path / "ro-parent").mkdir()
    if os.geteuid() == 0:  # root writes anywhere: play the permission check's answer
        real_access = os.access
        denied = {str(readonly), str(tmp_path / "ro-parent")}
        monkeypatch.setattr(store.writer.os, "access",
                            lambda p, mode: False if str(p) in denied else real_access(p, mode))
    else:
        readonly.chmod(0o555)
        (tmp_path / "ro-parent").chmod(0o555)
    cases[str(readonly)] = "not writable"
    cases[str(tmp_path / "ro-parent" / "out")] = "cannot write in"
    try:
        for out, message in cases.items():
            code, errors = build_main(capsys, given, "--out", out, *FAST)
            assert code == 2 and len(errors) == 1 and message in errors[0] and out in errors[0], errors
    finally:
        readonly.chmod(0o755)
        (tmp_path / "ro-parent").chmod(0o755)
    assert list(readonly.iterdir()) == [] and list((tmp_path / "ro-parent").iterdir()) == []


# -- 7. Ctrl-C and a closed stdout ---------------------------------------------------------

def _wait_for(predicate, timeout: float = 60, step: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(step)


def test_ctrl_c_leaves_the_corpus_and_no_temp_folder(tmp_path, capsys):
    out, old = _old_corpus(tmp_path, capsys)
    build = subprocess.Popen(QBANK + ["build", str(SAMPLES), "--out", str(out), "-q"], cwd=REPO,
                             stderr=subprocess.PIPE, text=True)
    tmp = tmp_path / f".out.qbank-tmp-{build.pid}"
    _wait_for(tmp.exists)  # the build has begun reading
    time.sleep(0.5)
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=30)
    assert build.returncode == 130 and err == f"qbank: interrupted; {out} unchanged\n", err
    assert snapshot(out) == old and leftovers(out) == []


def test_closed_or_full_stdout_is_one_line(tmp_path):
    text = "첫 줄입니다\n둘째 줄\n" * 5000
    with open("/dev/full", "wb") as full:
        result = run("clean", "--no-ocr-correction", input=text, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1 and result.stderr == (
        "qbank: cannot write the output: stdout not writable: No space left on device\n")
    read, write = os.pipe()
    os.close(read)
    try:
        result = run("clean", "--no-ocr-correction", input=text, stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert result.returncode == 1 and result.stderr == "qbank: cannot write the output: stdout closed (broken pipe)\n"


# -- 8. qbank clean ------------------------------------------------------------------------

@pytest.mark.parametrize("audit, message", [("/no/such/dir/a.jsonl", "No such file or directory"),
                                            ("/tmp", "is a folder")])
def test_clean_audit_errors_come_before_reading_stdin(audit, message):
    clean = subprocess.Popen(QBANK + ["clean", "--audit", audit], cwd=REPO, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert clean.wait(timeout=30) == 2  # stdin is still open: it was never read
        err = clean.stderr.read()
    finally:
        clean.stdin.close()
        clean.stdout.close()
        clean.stderr.close()
    assert err.count("\n") == 1 and err.startswith(f"qbank: --audit {audit}: ") and message in err


def test_clean_empty_stdin_loads_no_corrector(monkeypatch, capsysbinary, tmp_path):
    import extract.ocr_correct
    from qbank.cli import main

    monkeypatch.setattr(extract.ocr_correct, "get_corrector", lambda: pytest.fail("kiwi loaded"))
    for data in (b"", b"\n\n  \n"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert main(["clean", "--audit", str(tmp_path / "a.jsonl")]) == 0
        assert capsysbinary.readouterr().out == b"\n" * data.count(b"\n")
        assert (tmp_path / "a.jsonl").read_text() == ""


def test_clean_in_chunks_keeps_lines_and_numbers(monkeypatch, capsysbinary, tmp_path):
    import qbank.cli

    lines = [f"line {n} ~~ ##" if n % 3 else "" for n in range(1, 12)]
    data = ("\n".join(lines)).encode()  # no newline at the end
    outputs = []
    for chunk in (100, 4):
        monkeypatch.setattr(qbank.cli, "CLEAN_CHUNK_LINES", chunk)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert qbank.cli.main(["clean", "--no-ocr-correction", "--audit", str(tmp_path / f"{chunk}.jsonl")]) == 0
        outputs.append((capsysbinary.readouterr().out, (tmp_path / f"{chunk}.jsonl").read_text()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].count(b"\n") == len(lines) - 1 and not outputs[0][0].endswith(b"\n")


#: runs its arguments and says their peak memory (its own child's: a process forked from
#: this big test process would report this one's memory as its own peak)
PEAK = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


def test_clean_streams_a_large_input_in_bounded_memory():
    """50 MB on stdin: the whole-input reader held ~4x that; chunks keep it flat."""
    size, line = 50_000_000, b"a" * 9_999 + b"\n"
    clean = subprocess.Popen([sys.executable, "-c", PEAK, *QBANK, "clean", "--no-ocr-correction"], cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    block = line * 100
    for _ in range(size // len(block)):
        clean.stdin.write(block)
    clean.stdin.close()
    err = clean.stderr.read().decode()
    clean.stderr.close()
    assert clean.wait() == 0, err
    peak_kb = int(err.split()[-1])  # KB on Linux
    assert peak_kb < 150 * 1024, f"peak {peak_kb // 1024} MB"


# -- 9. the time budget per source ----------------------------------------------------------

def test_a_slow_source_is_stopped_and_the_batch_goes_on(tmp_path, capsys, monkeypatch):
    import qbank.pipeline

    real_read = qbank.pipeline.read_document

    def read(path, *args, **kwargs):
        if Path(path).name == "slow.md":
            try:
                time.sleep(30)
            except Exception:  # a reader's catch-all must not swallow the budget
                pass
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(qbank.pipeline, "read_document", read)
    folder = tmp_path / "in"
    notes(folder)
    notes(folder, "slow.md")
    started = time.monotonic()
    code, errors = build_main(capsys, str(folder), "--out", str(tmp_path / "out"),
                              "--timeout-per-source", "0.3", *FAST)
    assert time.monotonic() - started < 5
    assert code == 1 and len(errors) == 1
    assert errors[0].endswith("/slow.md: stopped after 0.3 s (--timeout-per-source)")
    assert len(read_jsonl(tmp_path / "out" / "knowledge.jsonl")) == 2  # notes.md built
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None) and signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_the_ocr_pool_of_a_stopped_source_is_terminated(monkeypatch):
    """ingest/ocr_pool.py runs pages in ``with ProcessPoolExecutor``, whose exit waits for
    the pages already queued: the budget's handler stops the workers first."""
    import multiprocessing

    import ingest.ocr_pool as ocr_pool
    import qbank.pipeline
    from ingest.document import Picture
    from ingest.limits import Limits
    from qbank.extractors import Options

    def slow_page(pdf, index, *args):
        time.sleep(20)
        return Picture(f"page {index + 1}")

    data = (SAMPLES / "scanned-questions.pdf").read_bytes()
    monkeypatch.setattr(ocr_pool, "_ocr_page", slow_page)  # the forked workers inherit it
    monkeypatch.setattr(qbank.pipeline, "read_document",
                        lambda *a, **k: ocr_pool.ocr_pages(data, [0, 1] * 4, "eng", jobs=2))
    started = time.monotonic()
    result = qbank.pipeline.process_source(SAMPLES / "scanned-questions.pdf",
                                           Options(limits=Limits(timeout_per_source=0.5)))
    assert time.monotonic() - started < 5
    assert result.error == "samples/scanned-questions.pdf: stopped after 0.5 s (--timeout-per-source)"
    assert multiprocessing.active_children() == []


# -- 10. limit options -------------------------------------------------------------------------

def test_limit_options_reach_every_source_and_the_ocr_budget_is_per_build(tmp_path, capsys, monkeypatch):
    import qbank.pipeline
    from ingest.limits import MB

    seen = []

    def fake(path, options, progress=None, media=None, **kwargs):
        seen.append(options.limits)
        return qbank.pipeline.SourceResult(path.name, "0" * 64, "pdf", 3,
                                           qbank.pipeline.Extraction(ocr={"pages": [1, 2, 3]}))

    monkeypatch.setattr(qbank.pipeline, "process_source", fake)
    folder = tmp_path / "in"
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        notes(folder, name)
    code, errors = build_main(capsys, str(folder), "--out", str(tmp_path / "out"), *FAST,
                              "--max-input-mb", "2", "--max-inflated-mb", "3", "--max-picture-mpx", "1.5",
                              "--max-pdf-pages", "7", "--max-ocr-pages", "5", "--timeout-per-source", "9",
                              "--jobs", "1")  # in this process, where the stand-in is (test_parallel.py: any --jobs)
    assert code == 0, errors
    assert [l.max_ocr_pages for l in seen] == [5, 2, 0]
    first = seen[0]
    assert (first.max_input_bytes, first.max_text_chars, first.max_member_bytes) == (2 * MB, 2 * MB, 3 * MB)
    assert (first.max_picture_pixels, first.max_pdf_pages, first.timeout_per_source) == (1_500_000, 7, 9.0)


def test_max_input_mb_and_bad_limit_values(tmp_path, capsys):
    folder = tmp_path / "in"
    notes(folder)
    (folder / "big.md").write_text(NOTES * 20)  # ~4 KB
    code, errors = build_main(capsys, str(folder), "--out", str(tmp_path / "out"), "--max-input-mb", "0.002", *FAST)
    assert code == 1 and len(errors) == 1 and "big.md: file is too large" in errors[0]
    assert "--max-input-mb" in errors[0]
    for option, value in (("--max-pdf-pages", "0"), ("--timeout-per-source", "-1"), ("--max-input-mb", "x")):
        result = run("build", str(folder), "--out", str(tmp_path / "out2"), option, value)
        assert result.returncode == 2 and option in result.stderr and not (tmp_path / "out2").exists()


# -- 11. kill -9 at several moments of a real build --------------------------------------------

def test_kill_9_at_any_moment_leaves_old_or_new_corpus(tmp_path):
    """A real build of the samples (OCR correction: a few seconds), killed during start-up,
    reading, once all of the new corpus is written, and just after the switch."""
    out = tmp_path / "out"
    result = run("build", str(SAMPLES / "guide-excerpt.ocr.txt"), "--out", str(out), "--no-ocr-correction", "-q")
    assert result.returncode == 0, result.stderr
    old = snapshot(out)
    states = []
    for moment in (0.3, 1.0, 2.0, "written", "switched"):
        build = subprocess.Popen(QBANK + ["build", str(SAMPLES), "--out", str(out), "-q"], cwd=REPO,
                                 stderr=subprocess.DEVNULL)
        tmp = tmp_path / f".out.qbank-tmp-{build.pid}"
        if moment == "written":  # every file of the new corpus written, not yet switched in
            _wait_for(tmp.exists)
            # meanwhile, a second build of the same folder refuses at once, naming the first
            second = run("build", str(SAMPLES), "--out", str(out), "-q", timeout=30)
            assert second.returncode == 75 and f"pid {build.pid}" in second.stderr
            assert second.stderr.count("\n") == 1
            _wait_for(lambda: (tmp / "manifest.json").exists() or build.poll() is not None, step=0.0005)
        elif moment == "switched":  # just switched in: the old corpus is being deleted
            _wait_for(lambda: (out / "manifest.json").read_bytes() != old["manifest.json"]
                      or build.poll() is not None, step=0.0005)
        else:
            time.sleep(moment)
        build.kill()
        build.wait()
        assert not list(out.rglob("*.tmp"))
        assert_consistent(out)
        states.append(snapshot(out))
    new = states[-1]  # killed just after the switch: the complete new corpus
    manifest = json.loads(new["manifest.json"])
    assert manifest["totals"]["sources"] == 4 and manifest["totals"]["failed"] == 0
    assert new != old and set(new) == set(CORPUS_FILES)
    for state in states:
        assert state in (old, new)
    # the lock died with the killed builds; what they left is cleaned by the next one
    result = run("build", str(SAMPLES / "guide-excerpt.ocr.txt"), "--out", str(out), "--no-ocr-correction", "-q")
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == old and leftovers(out) == []
