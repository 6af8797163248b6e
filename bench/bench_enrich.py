#!/usr/bin/env python3
"""What the enrichment (tags, exam domains, related units) adds to a guide build.

    python3 bench/bench_enrich.py [GUIDE] [--runs N]

Side by side in one run, alternating (absolute times drift with the machine's load):
``qbank build GUIDE --no-cache`` with and without ``--no-enrich``, each a fresh process,
so the enriched build pays for importing spaCy (≈0.3 s with numpy already loaded) and
building the matcher, as a user's build does. Then, in-process, the enrichment alone on
the guide's records, by part. Target (issue 17): the enriched build ≤ 1.2 × the plain
one (medians).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_GUIDE = REPO.parent / "shared/data/guide/ml-engineering-on-aws-ko.ocr.txt"


def build_seconds(guide: Path, out: Path, enrich: bool) -> float:
    command = [sys.executable, "-m", "qbank.cli", "build", str(guide), "--out", str(out), "-q", "--no-cache"]
    if not enrich:
        command.append("--no-enrich")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, env=env)
    return time.perf_counter() - start


def parts(out: Path) -> dict[str, float]:
    """The enrichment of the enriched build's records again, in-process, by part."""
    questions = [json.loads(line) for line in (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    knowledge = [json.loads(line) for line in (out / "knowledge.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in questions + knowledge:
        for key in ("tags", "domains", "related"):
            record.pop(key, None)
    times = {}
    start = time.perf_counter()
    import spacy  # noqa: F401
    times["import spaCy"] = time.perf_counter() - start
    from extract.tags import get_tagger
    start = time.perf_counter()
    get_tagger()
    times["build the matcher"] = time.perf_counter() - start
    from qbank.enrich import enrich
    start = time.perf_counter()
    enrich(questions, knowledge)
    times[f"enrich {len(questions)} questions, {len(knowledge)} units"] = time.perf_counter() - start
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("guide", nargs="?", type=Path, default=DEFAULT_GUIDE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.guide.exists():
        print(f"guide not found: {args.guide}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        plain, enriched = [], []
        for _ in range(args.runs):
            plain.append(build_seconds(args.guide, Path(tmp) / "plain", enrich=False))
            enriched.append(build_seconds(args.guide, Path(tmp) / "enriched", enrich=True))
        p, e = statistics.median(plain), statistics.median(enriched)
        print(f"guide build, {args.runs} runs each, alternating (median / min):")
        print(f"  --no-enrich   {p:6.2f} s / {min(plain):6.2f} s")
        print(f"  enriched      {e:6.2f} s / {min(enriched):6.2f} s")
        print(f"  overhead      {e / p - 1:+.1%} of the plain build (median), "
              f"{min(enriched) / min(plain) - 1:+.1%} (min); target <= +20%")
        print("enrichment in-process, by part:")
        for name, seconds in parts(Path(tmp) / "enriched").items():
            print(f"  {name:45s} {seconds:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
