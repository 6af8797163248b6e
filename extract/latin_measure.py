"""How many Latin-script tokens of a corpus still look like garbled lexicon terms.

The measure behind issue 14's figure and the real-guide test of the Latin corrector; it
uses a plain edit distance, not the corrector's look-alike table, so it measures the
corrector rather than restating it.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from extract.latin_correct import LatinCorrector, get_latin_corrector
from extract.latin_tokens import _CHUNK, _LATIN, _PROTECT, _TOKEN


def garbled_tokens(texts: Iterable[str], corrector: LatinCorrector | None = None) -> Counter[str]:
    """Latin tokens that look like garbled lexicon terms: at least four letters, not an
    acronym in capitals, outside code/URL chunks, not a lexicon or English word (common or
    rare), and within a plain (case-blind) Levenshtein distance of max(1, len/4), at most
    2, of a domain lexicon form (a multiword Amazon/AWS name also counts space-less).
    Independent of the look-alike table, so it measures the corrector, not restates it."""
    corrector = corrector or get_latin_corrector()
    domain = corrector._domain_keys
    near: dict[str, bool] = {}
    found: Counter[str] = Counter()
    for text in texts:
        for chunk in _CHUNK.finditer(text):
            if not _LATIN.search(chunk.group()) or _PROTECT.search(chunk.group()):
                continue
            for match in _TOKEN.finditer(chunk.group()):
                token = match.group()
                if sum(c.isalpha() for c in token) < 4 or token.isupper() or corrector.is_known(token):
                    continue
                if token not in near:
                    cutoff = min(2, max(1, len(token) // 4))
                    near[token] = process.extractOne(token.lower(), domain, scorer=Levenshtein.distance,
                                                     score_cutoff=cutoff) is not None
                if near[token]:
                    found[token] += 1
    corrector._check_rare(set(found))
    return Counter({t: n for t, n in found.items() if not corrector.is_rare_word(t)})
