#!/usr/bin/env python3
"""Cut a few real pages out of the OCR'd guide into samples/, so the demo runs offline.

The excerpt keeps the dump format byte for byte (page markers included) and covers what
the pipeline must handle: cover and table of contents, module title and topic divider
pages, slides with watermark shards, a whole module-1 knowledge check (single, multi),
module 3's check (with a matching question) and module summaries.

    python3 scripts/make_guide_excerpt.py [../shared/data/guide/ml-engineering-on-aws-ko.ocr.txt]
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

PAGES = [*range(1, 7), *range(18, 23), 31, 38, *range(42, 51), *range(88, 93), *range(125, 132)]
#: A page starts at its rule/marker/rule header and runs to the next one.
PAGE_HEADER = re.compile(r"^=+\nPAGE (\d+) of \d+[^\n]*\n=+\n", re.M)


def excerpt(text: str, keep: set[int]) -> str:
    headers = list(PAGE_HEADER.finditer(text))
    out = [text[: headers[0].start()] if headers else text]
    for header, following in zip(headers, headers[1:] + [None]):
        if int(header.group(1)) in keep:
            out.append(text[header.start(): following.start() if following else len(text)])
    return "".join(out)


def main() -> None:
    repo = Path(__file__).resolve().parent.parent
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared/data/guide/ml-engineering-on-aws-ko.ocr.txt"
    text = source.read_text(encoding="utf-8")
    target = repo / "samples" / "guide-excerpt.ocr.txt"
    target.write_text(excerpt(text, set(PAGES)), encoding="utf-8")
    print(f"wrote {target} ({len(PAGES)} pages)")


if __name__ == "__main__":
    main()
