#!/usr/bin/env python3
"""OCR correction of the whole guide against a plain kiwipiepy tokenization, side by side.

    python3 bench/bench_ocr.py [GUIDE] [--runs N]

Both run over the same lines (the guide's body after furniture removal) in one process;
model load and the one-off typo-dictionary build are reported separately. Target
(issue 3): correction ≤ 2× the plain tokenization.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_GUIDE = REPO.parent / "shared/data/guide/ml-engineering-on-aws-ko.ocr.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("guide", nargs="?", type=Path, default=DEFAULT_GUIDE)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from extract.furniture import remove_furniture
    from ingest import read_document

    lines = [line.text for page in remove_furniture(read_document(args.guide)) for line in page.lines]
    chars = sum(map(len, lines))

    start = time.perf_counter()
    from extract.ocr_correct import KoreanCorrector

    corrector = KoreanCorrector()
    load = time.perf_counter() - start
    start = time.perf_counter()
    corrector.correct("모델올 사용합니다")  # builds kiwi's typo dictionary once
    warm = time.perf_counter() - start
    corrector.kiwi.tokenize("모델을 사용합니다")

    start = time.perf_counter()
    corrector.correct_many(lines)
    cold = time.perf_counter() - start  # word-level caches (snap look-ups, scores) filling

    plain, fixed = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        for _tokens in corrector.kiwi.tokenize(lines):
            pass
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        results = corrector.correct_many(lines)
        fixed.append(time.perf_counter() - start)
    edits = sum(len(e) for _, e in results)
    print(f"{len(lines)} lines, {chars:,} characters, {args.runs} runs")
    print(f"  model load (Kiwi + lexicon + typo table)  {load:6.2f} s")
    print(f"  first correction (typo dictionary build)  {warm:6.2f} s")
    print(f"  {'':40} {'min s':>7} {'median s':>9}")
    print(f"  {'plain kiwipiepy tokenize':40} {min(plain):7.2f} {statistics.median(plain):9.2f}")
    print(f"  {'OCR correction (typos + rules + edits)':40} {min(fixed):7.2f} {statistics.median(fixed):9.2f}")
    print(f"  {'OCR correction, first pass (cold caches)':40} {cold:7.2f}")
    print(f"  ratio correction / plain (min)            {min(fixed) / min(plain):6.2f}×   ({edits} edits)")
    paired = sorted(f / p for f, p in zip(fixed, plain))
    print(f"  ratio per run, side by side (median)      {statistics.median(paired):6.2f}×   "
          f"(range {paired[0]:.2f}-{paired[-1]:.2f}: the machine's speed drifts between runs)")
    print(f"  ratio first pass / plain (min)            {cold / min(plain):6.2f}×")


if __name__ == "__main__":
    main()
