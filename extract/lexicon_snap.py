"""Snap garbled out-of-vocabulary words onto the domain lexicon, at the jamo level.

The OCR garbles loanwords in several places at once (``아퀴택처`` = 아키텍처, ``씩선`` = 섹션,
``인스템스`` = 인스턴스): more edits than a typo model may allow everywhere without
damaging real words. Here the allowance is spent only on words kiwi does not know at all,
and only towards a word of the domain lexicon (``data/domain_ko.json``).

The distance is a weighted Levenshtein over jamo with position kept (an initial ㅇ is not a
final ㅇ). Substitutions inside a group of look-alike jamo (``jamo_groups`` in
``data/ocr_ko.json``: ㅐ/ㅔ, ㅓ/ㅕ, ㄱ/ㅋ, ...) cost less than arbitrary ones, and a final
consonant gained or lost costs less than a whole initial or vowel. A snap is taken only when
it is cheap relative to the word's length and strictly better than the runner-up, so an
unknown word between two lexicon entries stays as it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from extract.hangul import all_syllables, jamo, syllable_variants

_FORBIDDEN = 1e6
#: words each of a snapper's caches keeps
WORD_CACHE = 65536


@dataclass(frozen=True)
class SnapCosts:
    """Edit costs of the jamo distance (kept in the data file with the groups)."""

    similar: float      # substitution inside a look-alike group
    other: float        # any other substitution
    final_indel: float  # a final consonant gained or lost
    indel: float        # an initial or vowel gained or lost
    per_jamo: float     # allowed cost per jamo of the lexicon word
    max_cost: float     # allowed cost, whatever the length
    min_syllables: int  # shorter words are never snapped
    margin: float       # the best must beat the runner-up by this much
    short_syllables: int  # words this short snap through look-alike edits only ...
    short_other: int = 0  # ... but for this many substitutions outside the groups


class LexiconSnapper:
    """Find the lexicon word an OOV word was garbled from, or None."""

    def __init__(self, lexicon: Iterable[str], groups: dict[str, list[str]],
                 costs: SnapCosts) -> None:
        words = sorted({w for w in lexicon if all_syllables(w)})
        self.costs = costs
        self._known = frozenset(words)
        # The OCR garbles syllables but seldom drops or adds one: candidates have the
        # word's syllable count (a glued particle is split off by the caller).
        self._by_length: dict[int, tuple[list[str], list[str], list[tuple[str, ...]]]] = {}
        for word in words:
            group = self._by_length.setdefault(len(word), ([], [], []))
            group[0].append(word)
            group[1].append("".join(jamo(word)))
            group[2].append(jamo(word))
        self._similar: set[tuple[str, str]] = {
            (position[0] + x, position[0] + y)
            for position, rows in groups.items() for letters in rows
            for x in letters for y in letters if x != y}
        self._alternatives: dict[str, list[str]] = {}
        for x, y in sorted(self._similar):
            self._alternatives.setdefault(x, []).append(y)
        # per instance: a cache on the class would hold every snapper ever made (the
        # corrector makes one per call for the document's nouns)
        self.look_alikes = lru_cache(maxsize=WORD_CACHE)(self.look_alikes)
        self.snap = lru_cache(maxsize=WORD_CACHE)(self.snap)

    def knows(self, word: str) -> bool:
        """Is ``word`` in the lexicon?"""
        return word in self._known

    def look_alikes(self, word: str) -> tuple[str, ...]:
        """The lexicon words ``word`` is one look-alike jamo away from (전락 → 전략: ㅑ read
        as ㅏ); none for a lexicon word. ``word`` itself may be a real word: the caller asks
        the sentence which one it is."""
        if len(word) < self.costs.min_syllables or not all_syllables(word) or word in self._known:
            return ()
        found = []
        for index, syllable in enumerate(word):
            for other in syllable_variants(syllable, self._alternatives):
                candidate = word[:index] + other + word[index + 1:]
                if candidate in self._known:
                    found.append(candidate)
        return tuple(sorted(set(found)))

    def snap(self, word: str, unknown: bool = False) -> tuple[str, float] | None:
        """The lexicon word and the cost of the snap, when one is clearly meant. ``unknown``:
        kiwi reads the word as no word at all (one OOV token), so a short word may take
        ``short_other`` substitutions outside the look-alike groups (a short word it reads
        as known pieces, 시용 = 시 + 용, is more often some other word misread: 사용)."""
        if (len(word) < self.costs.min_syllables or not all_syllables(word)
                or word in self._known or len(word) not in self._by_length):
            return None
        words, keys, jamos = self._by_length[len(word)]
        query = jamo(word)
        budget = min(self.costs.max_cost, self.costs.per_jamo * len(query))
        # Cheap pre-filter on plain jamo strings: a weighted cost ≤ budget needs at most
        # budget / min(edit cost) plain edits.
        cheapest = min(self.costs.similar, self.costs.final_indel)
        limit = int(budget / cheapest)
        found = process.extract("".join(query), keys, scorer=Levenshtein.distance,
                                score_cutoff=limit, limit=None)
        strict = len(word) <= self.costs.short_syllables
        allowed = self.costs.short_other if unknown else 0
        scored = sorted((self.distance(query, jamos[index], strict, allowed), words[index])
                        for _, _, index in found)
        if not scored:
            return None
        best_cost, best = scored[0]
        if best_cost > min(budget, self.costs.per_jamo * len(jamo(best))):
            return None
        if len(scored) > 1 and scored[1][0] - best_cost < self.costs.margin:
            return None
        return best, best_cost

    def distance(self, a: tuple[str, ...], b: tuple[str, ...], strict: bool = False,
                 allowed: int = 0) -> float:
        """Weighted cost of the plain (unit-cost) jamo alignment of ``a`` to ``b``; ``strict``
        (short words, which have many neighbours) allows only ``allowed`` substitutions
        outside the look-alike groups: one lets ``돕선`` be 옵션 and ``투딩`` 튜닝 (and
        ``예름`` 요금: the corrector prefers the typo layer's 예를 when kiwi does). rapidfuzz finds the alignment in C; weighing that one
        alignment can only overestimate the weighted distance, so it errs towards no snap."""
        cost = 0.0
        others = 0
        for tag, i, j in Levenshtein.editops(a, b):
            if tag == "replace":
                step = self._substitution(a[i], b[j], self.costs.other)
                if step == self.costs.other:
                    others += 1
                    if strict and others > allowed:
                        return _FORBIDDEN
                cost += step
            else:
                cost += self._indel(a[i] if tag == "delete" else b[j])
        return cost

    def _indel(self, token: str) -> float:
        return self.costs.final_indel if token[0] == "f" else self.costs.indel

    def _substitution(self, x: str, y: str, other: float) -> float:
        if x == y:
            return 0.0
        if x[0] != y[0]:
            return _FORBIDDEN  # never trade an initial for a vowel
        if (x, y) in self._similar:
            return self.costs.similar
        return other
