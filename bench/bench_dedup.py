#!/usr/bin/env python3
"""Cross-source dedup (store/dedup.py) on synthetic questions: near-linear, side by side.

    python3 bench/bench_dedup.py [--sizes 10000 100000] [--seed 1]

Questions are generated here: stems of 12-20 words drawn from a 50,000-word vocabulary
by Zipf's law (P(rank) ∝ 1/rank, as word frequencies in text go), four options
each. A third of them reappear in a second source: options shuffled and a character or two
changed (what a print or a scan does); a tenth share a stem with another question but have
other options (different questions that must stay apart). Reported per size: seconds,
seconds per 1,000 questions (flat when the method is linear), records out, and the share of
planted duplicates found and of planted near-duplicates kept apart.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.dedup import merge_duplicates  # noqa: E402

VOCABULARY = 50_000
_CUMULATIVE = list(__import__("itertools").accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))


def word(rng: random.Random) -> str:
    rank = rng.choices(range(1, VOCABULARY + 1), cum_weights=_CUMULATIVE)[0]
    return f"w{rank}x{rank * 7919 % 1000:03d}"


def garble(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(chars))
        chars[i] = rng.choice("abcdefghij")
    return "".join(chars)


def record(path: str, n: int, stem: str, options: list[str]) -> dict:
    return {"id": f"{path}/q{n}", "source": {"path": path, "sha256": "0" * 64, "format": "pdf", "pages": [1]},
            "number": n, "kind": "single", "stem": stem,
            "options": [{"label": "ABCD"[i], "text": t} for i, t in enumerate(options)],
            "answer": ["A"], "explanation": None, "translations": {}, "flags": []}


def generate(size: int, seed: int) -> tuple[list[dict], int, int]:
    rng = random.Random(seed)
    records: list[dict] = []
    planted = near = 0
    n = 0
    while len(records) < size:
        n += 1
        stem = " ".join(word(rng) for _ in range(rng.randint(12, 20)))
        options = [" ".join(word(rng) for _ in range(rng.randint(2, 5))) for _ in range(4)]
        records.append(record("a.docx", n, stem, options))
        roll = rng.random()
        if roll < 1 / 3:
            copy = rng.sample(options, 4)
            records.append(record("b.pdf", n, garble(stem, rng), [garble(o, rng) for o in copy]))
            planted += 1
        elif roll < 1 / 3 + 1 / 10:
            other = [" ".join(word(rng) for _ in range(3)) for _ in range(4)]
            records.append(record("c.docx", n, stem, other))
            near += 1
    return records[:size], planted, near


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'questions':>10} {'seconds':>8} {'s/1k':>6} {'records out':>12} {'dups found':>11} {'near kept apart':>16}")
    for size in args.sizes:
        records, planted, near = generate(size, args.seed)
        started = time.perf_counter()
        merged, _ = merge_duplicates(records)
        seconds = time.perf_counter() - started
        found = sum(1 for q in merged for a in q.get("also_in", []) if a["path"] == "b.pdf")
        wrongly = sum(1 for q in merged for a in q.get("also_in", []) if a["path"] == "c.docx"
                      or q["source"]["path"] == "c.docx")
        print(f"{size:>10,} {seconds:>8.2f} {1000 * seconds / size:>6.3f} {len(merged):>12,} "
              f"{found / max(1, planted):>11.3f} {1 - wrongly / max(1, near):>16.3f}")


if __name__ == "__main__":
    main()
