#!/usr/bin/env python3
"""DOCX throughput: qbank's reader + exam extraction against raw python-docx iteration.

    python3 bench/bench_docx.py [DOCX] [--copies N] [--runs N]

The sample is small, so its body is repeated N times into one larger document first (the
same file is then read both ways, side by side in one process). Target (issue 4): reader +
extraction ≤ 2× the raw iteration (paragraph and table-cell text), image OCR excluded.
"""
from __future__ import annotations

import argparse
import copy
import io
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def enlarge(path: Path, copies: int) -> bytes:
    import docx

    document = docx.Document(str(path))
    body = document.element.body
    blocks = [el for el in body if not el.tag.endswith("sectPr")]
    for _ in range(copies - 1):
        for element in blocks:
            body[-1].addprevious(copy.deepcopy(element))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def raw_iteration(data: bytes) -> int:
    import docx

    document = docx.Document(io.BytesIO(data))
    chars = 0
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    chars += len(cell.text)
        else:
            chars += len(block.text)
    return chars


def qbank_read(data: bytes) -> int:
    from extract.exam_questions import extract_exam_questions
    from ingest.docx_reader import read_docx

    return len(extract_exam_questions(read_docx(data, "bench.docx", "0" * 64, ocr_lang=None)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docx", nargs="?", type=Path, default=REPO / "samples" / "exam-dump.docx")
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = enlarge(args.docx, args.copies)
    qbank_read(data)  # imports, rule compilation
    raw, ours = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        chars = raw_iteration(data)
        raw.append(time.perf_counter() - start)
        start = time.perf_counter()
        questions = qbank_read(data)
        ours.append(time.perf_counter() - start)
    print(f"{args.docx.name} × {args.copies}: {len(data):,} bytes, {chars:,} characters, {questions} questions")
    print(f"  {'':36} {'min s':>7} {'median s':>9}")
    print(f"  {'raw python-docx iteration':36} {min(raw):7.3f} {statistics.median(raw):9.3f}")
    print(f"  {'qbank reader + exam extraction':36} {min(ours):7.3f} {statistics.median(ours):9.3f}")
    print(f"  ratio (min)                          {min(ours) / min(raw):6.2f}×")


if __name__ == "__main__":
    main()
