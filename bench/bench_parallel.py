#!/usr/bin/env python3
"""Batch builds on every executor: one source after another against 2 local workers and a
local Dask cluster of 2 workers, and the driver's peak memory as the folder grows.

    python3 bench/bench_parallel.py [--count 200] [--scans 3] [--runs 3] [--seed 7]
                                    [--sizes 50,200,400] [--no-dask]

A folder of COUNT generated question files (``scripts/make_exam_layouts.py``: DOCX and
text-layer PDF, seeded) and SCANS scans of its multi-page PDFs
(``scripts/make_sample_copies.py``: pages as slightly turned pictures, read by
Tesseract), each build a whole ``qbank build --no-cache`` process:

* ``--jobs 1`` (no pool: this process reads one source after another), ``--jobs 2``
  (2 forked workers) and ``--executor dask --jobs 2`` (a local cluster of 2 worker
  processes, started and stopped by the build): process wall time, the build's own time
  (the summary's ``time`` line: no interpreter start, no imports), speed-up against
  ``--jobs 1``, and the driver's peak RSS (``RUSAGE_SELF`` of the process that runs
  ``qbank.cli.run``, the command's entry: workers apart; with Dask the scheduler runs in
  it). The corpora of the three must be the same bytes: the bench stops if not.
* the fixed cost of a build of 2 documents with each (a local Dask cluster's start and
  stop is most of the difference at this size);
* ``--jobs 2`` on the first N documents (no scans) for each N of ``--sizes``: the driver's
  peak RSS against N. It holds the records (what the corpus is made of), never the
  documents, so it should grow by the records alone.

Targets (issue 18): ``--jobs 2`` ≥ 1.7× faster than ``--jobs 1`` on 2 cores; Dask on 2
local workers within 1.3× of ``--jobs 2``; the driver's peak flat in the number of files.
The machine's load is printed first: other processes on the 2 cores skew every figure.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
#: runs ``qbank build`` in this child and prints its own peak RSS (KiB) last
DRIVER = ("import atexit,resource,sys;from qbank.cli import run;atexit.register(lambda:print("
          "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,file=sys.stderr));run()")
WRAPPER = ("import subprocess,sys,time;t=time.perf_counter();"
           "r=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
           "print(time.perf_counter()-t);sys.stderr.write(r.stderr);sys.exit(r.returncode)")
SETUPS = {"--jobs 1": ["--jobs", "1"], "--jobs 2": ["--jobs", "2"],
          "dask, 2 workers": ["--executor", "dask", "--jobs", "2"]}


def child_run(inputs: list[str], out: Path, extra: list[str]) -> tuple[float, float, int]:
    """(process wall s, build s from the summary, driver peak RSS KiB) of one build."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", DRIVER, "build", *inputs, "--out", str(out), "--no-cache", *extra]
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True,
                          cwd=REPO, env=env)
    if done.returncode not in (0, 1):
        raise SystemExit(f"qbank build {' '.join(extra)} failed:\n{done.stderr[-2000:]}")
    build = re.search(r"^  time\s+([\d.]+)s$", done.stderr, re.M)
    rss = int(done.stderr.strip().splitlines()[-1])
    return float(done.stdout.split()[0]), float(build.group(1)) if build else float("nan"), rss


def digest(out: Path) -> str:
    """One hash over every file of a corpus (names and bytes)."""
    h = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        h.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def make_folder(folder: Path, count: int, scans: int, seed: int) -> list[Path]:
    from scripts.make_exam_layouts import generate
    from scripts.make_sample_copies import scan_pdf
    import pymupdf

    paths = generate(folder, count, seed)
    for expected in folder.glob("*.expected.jsonl"):
        expected.unlink()
    multi = [p for p in paths if p.suffix == ".pdf" and pymupdf.open(p).page_count >= 2][:scans]
    return paths + [scan_pdf(p, folder / f"scan-{p.stem}.pdf") for p in multi]


def compare(folder: Path, runs: int, work: Path, dask: bool) -> None:
    pages = sum(__import__("pymupdf").open(p).page_count for p in folder.glob("scan-*.pdf"))
    print(f"(a) {sum(1 for p in folder.iterdir() if not p.name.startswith('.'))} documents ({pages} scanned pages), best of {runs} runs")
    print(f"  {'build':18} {'process s':>10} {'median':>8} {'speed-up':>9} {'build() s':>10} "
          f"{'speed-up':>9} {'driver MB':>10}")
    rows, digests = {}, {}
    for run in range(runs):
        for label, extra in SETUPS.items():
            if label.startswith("dask") and not dask:
                continue
            out = work / f"out-{label.replace(' ', '')}"
            shutil.rmtree(out, ignore_errors=True)
            rows.setdefault(label, []).append(child_run([str(folder)], out, extra))
            digests[label] = digest(out)
    if len(set(digests.values())) != 1:
        raise SystemExit(f"the corpora differ: {digests}")
    base_wall = min(w for w, _, _ in rows["--jobs 1"])
    base_build = min(b for _, b, _ in rows["--jobs 1"])
    for label, samples in rows.items():
        walls, builds = [w for w, _, _ in samples], [b for _, b, _ in samples]
        print(f"  {label:18} {min(walls):10.2f} {statistics.median(walls):8.2f} {base_wall / min(walls):8.2f}x "
              f"{min(builds):10.2f} {base_build / min(builds):8.2f}x {max(r for _, _, r in samples) / 1024:10.1f}")
    if "dask, 2 workers" in rows:
        local = min(w for w, _, _ in rows["--jobs 2"])
        print(f"  dask / --jobs 2: {min(w for w, _, _ in rows['dask, 2 workers']) / local:.2f}x process time "
              f"(target ≤ 1.3x); corpora identical: {next(iter(digests.values()))[:12]}")


def fixed_cost(folder: Path, runs: int, work: Path, dask: bool) -> None:
    """What a build costs beyond its sources: 2 documents, no enrichment."""
    small = work / "two"
    small.mkdir()
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".docx")[:2]:
        os.symlink(path, small / path.name)
    figures = []
    for label, extra in SETUPS.items():
        if label.startswith("dask") and not dask:
            continue
        walls = [child_run([str(small)], work / "out-two", [*extra, "--no-enrich"])[0] for _ in range(runs)]
        figures.append(f"{label} {min(walls):.2f} s")
    print(f"(c) fixed cost, a folder of 2 documents (--no-enrich), process wall, best of {runs}: "
          + "; ".join(figures))


def memory(folder: Path, sizes: list[int], work: Path) -> None:
    documents = sorted(p for p in folder.iterdir() if not p.name.startswith("scan-"))
    print("(b) driver peak RSS with --jobs 2 against the number of documents (no scans)")
    for size in sizes:
        subset = work / f"subset-{size}"
        subset.mkdir()
        for path in documents[:size]:
            os.symlink(path, subset / path.name)
        _, build, rss = child_run([str(subset)], work / f"out-subset-{size}", ["--jobs", "2", "-q"])
        print(f"  {min(size, len(documents)):5} documents: driver peak {rss / 1024:7.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="generated documents (default 200)")
    parser.add_argument("--scans", type=int, default=3, help="scans of generated PDFs added (default 3)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sizes", default="50,200,400", help="folder sizes for the memory rows")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask row")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        work = Path(tmp)
        folder = work / "docs"
        make_folder(folder, args.count, args.scans, args.seed)
        compare(folder, args.runs, work, not args.no_dask)
        fixed_cost(folder, args.runs, work, not args.no_dask)
        sizes = [int(s) for s in args.sizes.split(",") if s]
        if sizes:
            big = work / "many"
            make_folder(big, max(sizes), 0, args.seed)
            memory(big, sizes, work)


if __name__ == "__main__":
    main()
