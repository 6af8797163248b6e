#!/usr/bin/env python3
"""Write ``extract/data/general_ko.json``: common Korean nouns for the OCR corrector's
second lexicon (:mod:`extract.ocr_correct`, the context-checked fallback snap).

    python3 scripts/make_general_lexicon.py [--count N]

The words are wordfreq's Korean list (a maintained frequency list of subtitles, web text,
Wikipedia and news, shipped with the package) in frequency order, kept when kiwipiepy
reads the word alone as one known common noun (NNG) of two or more syllables, the first
``N`` of them. Nothing is taken from the OCR'd book or the gold pairs, so the list is no
fit to them. Rerun it after upgrading wordfreq or kiwipiepy; the output is deterministic
for given versions of both.
"""
from __future__ import annotations

import argparse
import json
import re
import warnings
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "extract" / "data" / "general_ko.json"
#: wordfreq's Korean list holds about 25,000 Hangul words; 8,000 nouns reach well past the
#: everyday vocabulary (시험, 추천, 카테고리, 메커니즘) without the rare words a garble
#: lands on by chance
DEFAULT_COUNT = 8000


def general_nouns(count: int) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import wordfreq
        from kiwipiepy import Kiwi

        kiwi = Kiwi(load_multi_dict=False, load_default_dict=False)
        words = [w for w in wordfreq.top_n_list("ko", 100_000) if re.fullmatch(r"[가-힣]{2,}", w)]
        analyses = kiwi.tokenize(words)
    nouns = [w for w, tokens in zip(words, analyses)
             if len(tokens) == 1 and tokens[0].tag == "NNG" and not tokens[0].oov and tokens[0].form == w]
    return nouns[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    args = parser.parse_args()
    from importlib.metadata import version

    nouns = general_nouns(args.count)
    doc = ("Common Korean nouns (wordfreq's Korean list in frequency order, kept when kiwipiepy "
           "reads the word as one known NNG): the OCR corrector's fallback lexicon, used only "
           "with a context check. Written by scripts/make_general_lexicon.py; do not edit by hand.")
    source = f"wordfreq {version('wordfreq')}, kiwipiepy {version('kiwipiepy')}"
    rows = [", ".join(json.dumps(w, ensure_ascii=False) for w in nouns[i:i + 20])
            for i in range(0, len(nouns), 20)]
    OUT.write_text("{\n" + f'  "_doc": {json.dumps(doc)},\n  "source": {json.dumps(source)},\n'
                   + '  "words": [\n    ' + ",\n    ".join(rows) + "\n  ]\n}\n", encoding="utf-8")
    print(f"{OUT}: {len(nouns)} nouns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
