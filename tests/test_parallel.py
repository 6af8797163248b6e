"""Batch builds on every executor (qbank/executors.py, qbank/batch.py): the corpus of a
build that reads one source after another, byte for byte, from a local pool of processes
and from a local Dask cluster of 2 workers (loopback only), with a worker killed
mid-build too; the OCR page budget in input order; timeouts and Ctrl-C in workers.

The local pool's tests come first: the pool forks this process, which must not hold the
Dask cluster's threads then (the cluster fixture lives until the module ends)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qbank.batch
import qbank.pipeline
from conftest import REPO, SAMPLES, read_jsonl
from ingest.limits import Limits
from qbank.batch import prepare_worker
from qbank.executors import ProcessExecutor, SerialExecutor
from qbank.extractors import Options
from qbank.pipeline import build

NOTES = "# Notes {n}\n\nAmazon SageMaker trains models on managed instances and deploys them to endpoints.\n"


def corpus(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build_corpus(inputs: list[Path], out: Path, executor=None, options: Options = Options()):
    report = build([str(i) for i in inputs], out, progress=False, compare=False, options=options,
                   executor=executor)
    return report, corpus(out)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """12 generated question files (DOCX, text PDFs; scripts/make_exam_layouts.py) and a
    3-page scan of one of them (scripts/make_sample_copies.py)."""
    sys.path.insert(0, str(REPO))
    from scripts.make_exam_layouts import generate
    from scripts.make_sample_copies import scan_pdf

    folder = tmp_path_factory.mktemp("generated")
    paths = generate(folder, 12, 5)
    for expected in folder.glob("*.expected.jsonl"):
        expected.unlink()
    printed = next(p for p in paths if p.name.startswith("001_pdf2col"))
    scan_pdf(printed, folder / "scan-001.pdf")
    return folder


@pytest.fixture(scope="module")
def reference(generated, tmp_path_factory) -> dict[str, bytes]:
    """samples/ and the generated folder built one source after another, in this process."""
    report, files = build_corpus([SAMPLES, generated], tmp_path_factory.mktemp("serial") / "out",
                                 SerialExecutor())
    assert not report.failed, report.failed
    return files


@pytest.fixture
def split_scans(monkeypatch):
    """Every scan with more than one page to OCR is split, a page a task."""
    monkeypatch.setattr(qbank.batch, "SPLIT_OVER", 1)
    monkeypatch.setattr(qbank.batch, "PAGES_PER_TASK", 1)


def spy_submissions(executor) -> list[tuple]:
    keys: list[tuple] = []
    submit = executor.submit

    def spy(key, fn, *args):
        keys.append(key)
        return submit(key, fn, *args)

    executor.submit = spy
    return keys


def after_first_result(executor, action):
    """Run ``action()`` once, when the first task's value is back (the others in flight)."""
    next_done = executor.next_done
    done = []

    def wrapped():
        value = next_done()
        if not done:
            done.append(action())
        return value

    executor.next_done = wrapped
    return done


# -- the local pool -----------------------------------------------------------------------------

def test_local_pool_builds_the_serial_corpus(generated, reference, split_scans, tmp_path):
    executor = ProcessExecutor(2, prepare_worker)
    keys = spy_submissions(executor)
    report, files = build_corpus([SAMPLES, generated], tmp_path / "out", executor)
    assert files == reference
    # both scans were split: their pages went out a page a task, then each was read again
    split = {index for kind, index, *_ in keys if kind == "ocr"}
    assert len(split) == 2 and sum(1 for k in keys if k[0] == "ocr") == 5
    assert all(sum(1 for k in keys if k == ("read", i)) == 2 for i in split)


def test_a_worker_killed_mid_build_costs_nothing(generated, reference, tmp_path):
    executor = ProcessExecutor(2, prepare_worker)

    def kill():
        pid = next(iter(executor._pool._processes))
        os.kill(pid, signal.SIGKILL)
        return pid

    killed = after_first_result(executor, kill)
    report, files = build_corpus([SAMPLES, generated], tmp_path / "out", executor)
    assert killed and executor.restarts >= 1
    assert files == reference


def test_a_source_that_kills_its_worker_fails_alone(tmp_path, monkeypatch):
    real = qbank.pipeline.process_source

    def crashing(path, *args, **kwargs):
        if Path(path).name == "crash.md":
            os._exit(9)  # a segfault in a reader, as the pool sees it
        return real(path, *args, **kwargs)

    monkeypatch.setattr(qbank.pipeline, "process_source", crashing)  # the forked workers inherit it
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        (folder / f"notes{n}.md").write_text(NOTES.format(n=n), encoding="utf-8")
    (folder / "crash.md").write_text(NOTES.format(n=9), encoding="utf-8")
    executor = ProcessExecutor(2, prepare_worker)
    report = build([str(folder)], tmp_path / "out", progress=False,
                   options=Options(ocr_lang=None, ocr_correction=False), executor=executor)
    assert [s.error for s in report.failed] == [
        f"{report.failed[0].path}: its worker process died 2 times reading it alone "
        "(a crash in a reader, or out of memory)"]
    assert report.failed[0].path.endswith("/crash.md")
    assert len(read_jsonl(tmp_path / "out" / "knowledge.jsonl")) == 4


def assert_progress_moves(tmp_path, capsys, runner) -> None:
    """The sources bar moves as results come back, the pages bar as sources (or a scan's
    pages) do."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"notes{n}.md").write_text(NOTES.format(n=n), encoding="utf-8")
    (folder / "scan.pdf").write_bytes((SAMPLES / "scanned-questions.pdf").read_bytes())
    build([str(folder)], tmp_path / "out", progress=True, options=Options(ocr_correction=False),
          executor=runner)
    err = capsys.readouterr().err
    assert "sources: 100%" in err and "4/4" in err
    assert "pages: " in err and "5page" in err.replace(" ", "")  # 3 notes of a page, a scan of 2


def test_workers_are_not_forked_while_a_driver_thread_holds_the_fork_lock():
    """A parallel build's driver loads spaCy for the enrichment in a thread while its
    workers read (qbank.enrich.warm_up_in_background); a worker forked in the middle of
    that import would inherit an import lock no thread of it holds, so forking waits for
    the lock that thread holds."""
    import threading

    from qbank.executors import FORK_LOCK

    released = []
    holding = threading.Event()

    def hold() -> None:
        with FORK_LOCK:
            holding.set()
            time.sleep(0.5)
            released.append(time.time())

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait()
    with ProcessExecutor(2) as executor:
        executor.submit("started", time.time)  # the worker's clock when the task runs
        _, started = executor.next_done()
    holder.join()
    assert started >= released[0]


def test_progress_bars_move_with_a_local_pool(tmp_path, capsys):
    assert_progress_moves(tmp_path, capsys, ProcessExecutor(2, prepare_worker))


# -- the OCR page budget --------------------------------------------------------------------------

def scans(folder: Path, count: int, pages: int) -> None:
    """``count`` PDFs of ``pages`` pages, each a picture and no text (scans)."""
    import pymupdf

    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        pdf = pymupdf.open()
        for _ in range(pages):
            page = pdf.new_page()
            pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 40), False)
            pixmap.set_rect(pixmap.irect, (90 + n,))
            page.insert_image(page.rect, pixmap=pixmap)
        pdf.save(folder / f"scan{n}.pdf")


def test_the_ocr_budget_is_shared_in_input_order_on_any_executor(tmp_path, monkeypatch):
    """Budget 5, three scans of 2 pages: the serial build OCRs 2, 2 and 1 page. In
    parallel all three set out with 5 pages: the second's 2 fit the 3 it turns out to be
    allowed, the third's 2 do not fit its 1, and it is read again with 1."""
    import ingest.ocr_pool as ocr_pool
    import ingest.pdf_reader as pdf_reader
    from ingest.document import Picture

    def fake_page(pdf, index, lang, max_pixels):
        return Picture(f"page {index + 1}", f"{index + 1}. Which service trains models?\n"
                       "A. SageMaker\nB. S3\nAnswer: A", 91.0)

    monkeypatch.setattr(ocr_pool, "_ocr_page", fake_page)  # the forked workers inherit it
    monkeypatch.setattr(pdf_reader, "check_languages", lambda lang: None)
    scans(tmp_path / "in", 3, 2)
    options = Options(ocr_lang="eng", ocr_correction=False, limits=Limits(max_ocr_pages=5))
    serial, files = build_corpus([tmp_path / "in"], tmp_path / "serial", SerialExecutor(), options)
    used = [len(s.extraction.ocr["pages"]) - len(s.extraction.ocr["unread_pages"]) for s in serial.sources]
    assert used == [2, 2, 1]
    executor = ProcessExecutor(2, prepare_worker)
    keys = spy_submissions(executor)
    _, parallel = build_corpus([tmp_path / "in"], tmp_path / "parallel", executor, options)
    assert parallel == files
    assert [k for k in keys if k[0] == "read"] == [("read", 0), ("read", 1), ("read", 2), ("read", 2)]


# -- budgets and Ctrl-C in workers -----------------------------------------------------------

def test_time_budget_reaches_a_thread():
    """Dask runs tasks in threads, where no SIGALRM arrives."""
    import threading

    from qbank.budget import SourceTimeout, time_budget

    seen = []

    def work():
        started = time.monotonic()
        try:
            with time_budget(0.2):
                while True:
                    sum(range(100))
        except SourceTimeout as exc:
            seen.append((exc.seconds, time.monotonic() - started))
        with time_budget(0.1):
            pass
        time.sleep(0.5)  # nothing lands after the block
        seen.append("after")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert seen[0][0] == 0.2 and seen[0][1] < 2 and seen[1] == "after"


def _alive_in_group(group: int) -> list[str]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


def _start_build(inputs: list[Path], out: Path, executor: str) -> subprocess.Popen:
    """A ``qbank build --jobs 2`` in a process group of its own, once its 2 workers run."""
    if executor == "dask":
        pytest.importorskip("distributed")
    process = subprocess.Popen(
        [sys.executable, "-m", "qbank.cli", "build", *map(str, inputs), "--out", str(out),
         "--no-cache", "-q", "--jobs", "2", "--executor", executor],
        cwd=REPO, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_alive_in_group(process.pid)) < 3:  # the build and its 2 workers
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(1.0)
    return process


def _none_left(group: int) -> bool:
    deadline = time.monotonic() + 10
    while _alive_in_group(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_ctrl_c_stops_every_worker(generated, tmp_path, executor):
    out = tmp_path / "out"
    build_process = _start_build([SAMPLES, generated], out, executor)
    os.killpg(build_process.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
    _, err = build_process.communicate(timeout=60)
    assert build_process.returncode == 130 and err == f"qbank: interrupted; {out} unchanged\n", err
    assert _none_left(build_process.pid) and not out.exists()


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_kill_9_of_a_build_takes_its_workers(generated, tmp_path, executor):
    """Workers left behind would wait for tasks forever, holding the output's lock."""
    out = tmp_path / "out"
    build_process = _start_build([SAMPLES, generated], out, executor)
    build_process.kill()
    build_process.communicate(timeout=60)
    assert _none_left(build_process.pid)
    assert build([str(SAMPLES / "exam-dump.docx")], out, progress=False, options=Options(ocr_lang=None)).written


# -- a local Dask cluster ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


def dask_executor(cluster):
    from qbank.executor_dask import DaskExecutor

    return DaskExecutor(address=cluster.scheduler_address, initializer=prepare_worker)


def test_a_local_cluster_prepares_each_worker_as_it_starts():
    """Without --address the build starts its own cluster, whose workers are prepared as
    they start (the plugin goes with the cluster, not registered once it is up):
    Tesseract on one thread, what the worker loaded frozen out of its collections."""
    import gc

    from qbank.executor_dask import DaskExecutor

    with DaskExecutor(2, None, prepare_worker) as executor:
        executor.submit("first", os.getpid)
        executor.next_done()
        prepared = executor._client.run(lambda: (os.environ.get("OMP_THREAD_LIMIT"), gc.get_freeze_count() > 0))
    assert sorted(prepared.values()) == [("1", True), ("1", True)]


def test_dask_cluster_builds_the_serial_corpus(generated, reference, cluster, split_scans, tmp_path):
    executor = dask_executor(cluster)
    keys = spy_submissions(executor)
    _, files = build_corpus([SAMPLES, generated], tmp_path / "out", executor)
    assert files == reference
    assert sum(1 for k in keys if k[0] == "ocr") == 5


def test_dask_keeps_the_time_budget(cluster, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes.md").write_text(NOTES.format(n=1), encoding="utf-8")
    (folder / "guide.ocr.txt").write_bytes((SAMPLES / "guide-excerpt.ocr.txt").read_bytes())
    options = Options(ocr_lang=None, limits=Limits(timeout_per_source=0.05))
    report = build([str(folder)], tmp_path / "out", progress=False, options=options,
                   executor=dask_executor(cluster))
    assert [s.error.rsplit("/", 1)[1] for s in report.failed] == [
        "guide.ocr.txt: stopped after 0.05 s (--timeout-per-source)"]


def test_progress_bars_move_with_dask(cluster, tmp_path, capsys):
    assert_progress_moves(tmp_path, capsys, dask_executor(cluster))


def test_dask_worker_killed_mid_build_costs_nothing(generated, reference, cluster, tmp_path):
    """Last of the module: the cluster's nanny starts the killed worker again."""
    executor = dask_executor(cluster)

    def kill():
        client = executor._client
        busy = sorted(worker for worker, keys in client.processing().items() if keys)
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        return busy[0]

    killed = after_first_result(executor, kill)
    _, files = build_corpus([SAMPLES, generated], tmp_path / "out", executor)
    assert killed
    assert files == reference


def test_cli_says_why_a_cluster_cannot_be_used(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    import qbank.executor_dask
    from qbank.cli import main

    monkeypatch.setattr(qbank.executor_dask, "CONNECT_TIMEOUT", 1)
    (tmp_path / "notes.md").write_text(NOTES.format(n=1), encoding="utf-8")
    code = main(["build", str(tmp_path / "notes.md"), "--out", str(tmp_path / "out"), "-q",
                 "--address", "127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot start on the Dask scheduler at 127.0.0.1:9" in err
    assert not (tmp_path / "out" / "questions.jsonl").exists()

