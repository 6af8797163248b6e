#!/usr/bin/env python3
"""Does question extraction scale linearly? Time per question at 2,000 and 20,000.

    python3 bench/bench_scale.py [--small N] [--large N]

A synthetic question file (numbered stems, lettered options, an answer line, every
tenth question unnumbered text between them) is built as a Document in memory, so the
figure is the extractor's own (readers are benched in bench_docx.py / bench_pdf.py).
Reports seconds for reading the layout, building records (language detection included)
and the per-question ratio large/small, which should stay near 1.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = ("service data model training endpoint bucket stream cluster pipeline feature "
         "latency throughput region instance storage").split()


def document(n: int):
    from ingest.document import Document, Line, Page

    lines = []
    for q in range(1, n + 1):
        words = " ".join(WORDS[(q * k) % len(WORDS)] for k in range(1, 12))
        lines.append(f"{q}. Which {words} should the team use?")
        lines.extend(f"{label}. Option {label} {WORDS[(q + i) % len(WORDS)]}" for i, label in enumerate("ABCD"))
        lines.append(f"Answer: {'ABCD'[q % 4]}")
        if q % 10 == 0:
            lines.append("Explanation: the team reads the documentation of the service.")
    return Document("bench.txt", "0" * 64, "docx", [Page(1, [Line(t, i) for i, t in enumerate(lines, 1)])])


def timed(n: int) -> tuple[float, float, int]:
    from extract.exam_questions import read_exam
    from store.records import question_record

    doc = document(n)
    start = time.perf_counter()
    questions, _ = read_exam(doc)
    middle = time.perf_counter()
    for q in questions:
        question_record(doc, q, q.lang)
    return middle - start, time.perf_counter() - middle, len(questions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    timed(50)  # imports, rule compilation, langdetect profiles
    rows = []
    for n in (args.small, args.large):
        read, records, count = timed(n)
        rows.append((n, read, records, count))
        print(f"  {n:>6} questions: extract {read:6.2f} s, records {records:5.2f} s, "
              f"{(read + records) / n * 1000:.3f} ms/question ({count} found)")
    (n1, r1, c1, _), (n2, r2, c2, _) = rows
    print(f"  per-question ratio large/small: {((r2 + c2) / n2) / ((r1 + c1) / n1):.2f} (linear: ~1)")


if __name__ == "__main__":
    main()
