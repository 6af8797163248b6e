#!/usr/bin/env python3
"""Time cold builds against builds from the per-source cache (qbank/cache.py).

    python3 bench/bench_cache.py [GUIDE] [--runs N] [--count 200] [--seed 7]

Side by side in one run (absolute times drift between calls), each a whole ``qbank
build`` process (wall time, peak RSS) and the build's own time (the summary's ``time``
line: no interpreter start, no imports):

* (a) the guide: cold without cache, cold filling an empty cache, unchanged rebuild;
* (b) a folder of COUNT generated question files (``scripts/make_exam_layouts.py``,
  DOCX and PDF, seeded): the same three, and a rebuild after one file's content changed
  (a comment appended after a PDF's ``%%EOF``: new bytes, same questions).

Target (issue 15): an unchanged rebuild of the guide ≤ 5 % of a cold build; touching
one file of a folder costs about that one file.
"""
from __future__ import annotations

import argparse
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
DEFAULT_GUIDE = REPO.parent / "shared/data/guide/ml-engineering-on-aws-ko.ocr.txt"
QBANK = [sys.executable, "-m", "qbank.cli", "build"]
WRAPPER = ("import resource,subprocess,sys,time;t=time.perf_counter();"
           "r=subprocess.run(sys.argv[1:],capture_output=True,text=True);w=time.perf_counter()-t;"
           "sys.stderr.write(r.stderr);"
           "print(w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);sys.exit(r.returncode)")


def child_run(args: list[str]) -> tuple[float, float, int]:
    """(process wall s, build s from the summary, peak RSS KiB) of one ``qbank build``,
    measured by a wrapper so each run's peak is its own."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", WRAPPER, *QBANK, *args], capture_output=True,
                         text=True, cwd=REPO, env=env)
    if out.returncode not in (0, 1):
        raise SystemExit(f"qbank build {' '.join(args)} failed:\n{out.stderr}")
    wall, rss = out.stdout.split()
    build = re.search(r"^  time\s+([\d.]+)s$", out.stderr, re.M)
    return float(wall), float(build.group(1)) if build else float("nan"), int(rss)


def measure(name: str, inputs: list[str], runs: int, work: Path, touch: Path | None = None) -> list[tuple]:
    """Rows (label, [(wall, build, rss)] per run) for one input set."""
    rows: dict[str, list] = {"cold, --no-cache": [], "cold, filling the cache": [], "unchanged, from cache": []}
    if touch is not None:
        rows["one file changed"] = []
    original = touch.read_bytes() if touch is not None else b""
    for run in range(runs):
        cache = work / f"cache-{name}-{run}"
        out = work / f"out-{name}"
        rows["cold, --no-cache"].append(child_run([*inputs, "--out", str(out), "--no-cache"]))
        rows["cold, filling the cache"].append(child_run([*inputs, "--out", str(out), "--cache-dir", str(cache)]))
        rows["unchanged, from cache"].append(child_run([*inputs, "--out", str(out), "--cache-dir", str(cache)]))
        if touch is not None:
            touch.write_bytes(original + f"\n% bench edit {run}\n".encode())
            rows["one file changed"].append(child_run([*inputs, "--out", str(out), "--cache-dir", str(cache)]))
            touch.write_bytes(original)
        shutil.rmtree(cache, ignore_errors=True)
    return list(rows.items())


def report(title: str, rows: list[tuple]) -> None:
    base_wall = min(w for w, _, _ in rows[0][1])
    base_build = min(b for _, b, _ in rows[0][1])
    print(title)
    print(f"  {'build':26} {'process s':>10} {'median':>8} {'× cold':>7} {'build() s':>10} {'× cold':>7} {'peak MB':>8}")
    for label, samples in rows:
        walls = [w for w, _, _ in samples]
        builds = [b for _, b, _ in samples]
        print(f"  {label:26} {min(walls):10.3f} {statistics.median(walls):8.3f} {min(walls) / base_wall:7.3f} "
              f"{min(builds):10.3f} {min(builds) / base_build:7.3f} {max(r for _, _, r in samples) / 1024:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("guide", nargs="?", type=Path, default=DEFAULT_GUIDE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=200, help="generated documents (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from scripts.make_exam_layouts import generate

    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: every process compiles qbank's modules "
              "(~35 ms of each process time below)\n")
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        work = Path(tmp)
        if args.guide.exists():
            report(f"(a) guide {args.guide.name}, {args.runs} runs",
                   measure("guide", [str(args.guide)], args.runs, work))
        else:
            print(f"(a) guide not found at {args.guide}: skipped")
        folder = work / "docs"
        paths = generate(folder, args.count, args.seed)
        for expected in folder.glob("*.expected.jsonl"):
            expected.unlink()  # the folder holds the documents only
        touched = next(p for p in paths if p.suffix == ".pdf")
        size = sum(p.stat().st_size for p in paths) / 1e6
        print()
        report(f"(b) folder of {len(paths)} generated documents ({size:.1f} MB, seed {args.seed}), "
               f"{args.runs} runs; changed: {touched.name}",
               measure("folder", [str(folder)], args.runs, work, touch=touched))


if __name__ == "__main__":
    main()
