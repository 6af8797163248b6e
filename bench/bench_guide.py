#!/usr/bin/env python3
"""Time the guide build, in-process by stage and as a whole process, with baselines.

    python3 bench/bench_guide.py [GUIDE] [--runs N]

Ratios are measured side by side in one run (absolute times drift between calls):

* in-process stages (furniture, structure, questions, knowledge, records+validation)
  against a plain regex pass over the same text (PERFORMANCE.md: ~15 ms);
* the whole ``qbank build`` process (wall time, peak RSS) against a bare
  ``python3 -c pass`` start.

Targets (issue 2): furniture + structure + questions ≤ 0.5 s in-process; whole process
≤ 3 s and ≤ 500 MB.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_GUIDE = REPO.parent / "shared/data/guide/ml-engineering-on-aws-ko.ocr.txt"


def timed(fn, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def in_process(guide: Path, runs: int) -> None:
    from extract.furniture import remove_furniture
    from extract.guide_questions import extract_guide_questions
    from extract.knowledge import extract_knowledge
    from extract.structure import analyse_structure
    from ingest import read_document
    from qbank.extractors import extract_course_book
    from store.schema import validate

    text = guide.read_text(encoding="utf-8")
    word = re.compile(r"\w+")
    rows = []
    rows.append(("plain regex pass (baseline)", *timed(lambda: len(word.findall(text)), runs)[:2]))
    doc = read_document(guide)
    rows.append(("read + split pages", *timed(lambda: read_document(guide), runs)[:2]))
    lo, med, pages = timed(lambda: remove_furniture(doc), runs)
    rows.append(("furniture (learn + remove)", lo, med))
    lo, med, structure = timed(lambda: analyse_structure(pages), runs)
    rows.append(("structure", lo, med))
    rows.append(("knowledge checks", *timed(lambda: extract_guide_questions(pages, structure), runs)[:2]))

    def core():
        p = remove_furniture(doc)
        s = analyse_structure(p)
        return extract_guide_questions(p, s)

    rows.append(("furniture + structure + questions", *timed(core, runs)[:2]))
    rows.append(("knowledge units", *timed(lambda: extract_knowledge(pages, structure), runs)[:2]))
    lo, med, extraction = timed(lambda: extract_course_book(doc), runs)
    rows.append(("whole extraction (records)", lo, med))

    def validate_all():
        for r in extraction.questions:
            validate("question", r)
        for r in extraction.knowledge:
            validate("knowledge", r)

    validate_all()  # compile the validators once, outside the timing
    rows.append(("schema validation of all records", *timed(validate_all, runs)[:2]))
    base = rows[0][1]
    print(f"in-process, {runs} runs, {len(doc.pages)} pages, {len(text):,} characters")
    print(f"  {'stage':38} {'min s':>8} {'median s':>9} {'× regex':>8}")
    for name, lo, med in rows:
        print(f"  {name:38} {lo:8.3f} {med:9.3f} {lo / base:8.1f}")


def child_run(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one child process, measured by a wrapper so each
    run's peak is its own (RUSAGE_CHILDREN keeps the maximum over all children)."""
    wrapper = ("import resource,subprocess,sys,time;t=time.perf_counter();"
               "r=subprocess.run(sys.argv[1:]);w=time.perf_counter()-t;"
               "print(w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);sys.exit(r.returncode)")
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True)
    wall, rss = out.stdout.split()
    return float(wall), int(rss)


def whole_process(guide: Path, runs: int) -> None:
    qbank = [sys.executable, "-m", "qbank.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        rows = {"python3 -c pass (baseline)": [], "qbank build guide": []}
        for _ in range(runs):
            rows["python3 -c pass (baseline)"].append(child_run([sys.executable, "-c", "pass"]))
            rows["qbank build guide"].append(child_run(qbank + ["build", str(guide), "--out", tmp, "-q", "--no-cache"]))
    print(f"whole process, {runs} runs")
    print(f"  {'command':38} {'min s':>8} {'median s':>9} {'peak MB':>8}")
    for name, samples in rows.items():
        walls = [w for w, _ in samples]
        print(f"  {name:38} {min(walls):8.3f} {statistics.median(walls):9.3f} "
              f"{max(r for _, r in samples) / 1024:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("guide", nargs="?", type=Path, default=DEFAULT_GUIDE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    in_process(args.guide, args.runs)
    whole_process(args.guide, args.runs)


if __name__ == "__main__":
    main()
