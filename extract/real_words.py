"""Real-word swaps of the Korean corrector: a word the OCR made of a domain word that is
itself a word (전략 read as 전락, a fall; 탐지 as 담지) passes every lexicon check, so the
sentence decides. Mixed into :class:`extract.ocr_correct.KoreanCorrector`, which gives
``snapper`` (the domain lexicon) and ``_score`` (kiwi's cached log-probability).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

_NOUN_TAGS = frozenset({"NNG", "NNP"})

#: words each side of a real word that kiwi scores it with (the sentence's say)
REAL_WORD_WINDOW = 2
#: how much better kiwi must score the domain word in its window (log-probability)
REAL_WORD_MARGIN = 3.0
#: a word kiwi scores alone above this is common and never swapped: in the guide, 고정 범위
#: (규정?), 정수 인코딩 (점수?) and 시도해 볼 (지도?) won by 3.6-5.6 and only 소설 (소셜) by
#: more than 8, while the rare words the OCR made (전락 -19.2, 담지 -22.5, 합수 -21.4)
#: were worth their swap
COMMON_SCORE = -19.0
#: the margin of a swap the document agreed on elsewhere (:meth:`KoreanCorrector._real_word`)
AGREED_MARGIN = 0.0


class RealWordSwaps:
    """The corrector's real-word and context scoring (see the module docstring)."""

    snapper: Any
    _score: Callable[[str], float]

    def _real_word(self, text: str, spans: list[tuple[int, int]], index: int, stem: list,
                   swaps: dict[str, str] | None = None, agreed: dict[str, str] | None = None,
                   declined: set[str] | None = None) -> str | None:
        """The word at ``index`` with its noun stem swapped for a domain word it is one
        look-alike jamo away from, when the sentence around it says so: a real word the OCR
        made of a domain word (마케팅 전략 read as 전락, a fall) passes every lexicon check.
        Kiwi scores the words around it (:data:`REAL_WORD_WINDOW` each side) with either
        stem; the domain word must win by :data:`REAL_WORD_MARGIN`. A common word
        (:data:`COMMON_SCORE`) is left alone.

        One sense per document: a rare word swapped where its sentence said so clearly
        (``swaps``, one target per word; two targets cancel) is swapped wherever in the
        same document (``agreed``, see :meth:`correct_many`) kiwi does not score the swap
        worse: garbled neighbours (``이동합나다. 이 전락에서논 프로덕선``) blur the margin
        a clean sentence gives."""
        if len(stem) != 1 or stem[0].tag not in _NOUN_TAGS or stem[0].len < 2:
            return None
        form = stem[0].form
        candidates = (agreed[form],) if agreed and form in agreed else self.snapper.look_alikes(form)
        if not candidates:
            return None
        start, end = spans[index]
        word = text[start:end]
        lo = stem[0].start - start
        if word[lo:lo + len(form)] != form:
            return None
        if self._score(form) > COMMON_SCORE:
            return None
        before, after = self._window(text, spans, index)
        base = self._score(before + word + after)
        margin = REAL_WORD_MARGIN
        if agreed and form in agreed:
            margin = AGREED_MARGIN
        best, best_gain, target = None, margin, None
        for candidate in candidates:
            new = word[:lo] + candidate + word[lo + len(form):]
            gain = self._score(before + new + after) - base
            if gain >= best_gain:
                best, best_gain, target = new, gain, candidate
        if best is not None and swaps is not None:
            swaps[form] = target if swaps.get(form, target) == target else ""
        elif best is None and declined is not None:
            declined.add(form)
        return best

    def _context_gain(self, word: str, new: str, context: tuple[str, str]) -> float:
        """How much likelier kiwi finds ``new`` than ``word`` between the words around it."""
        before, after = context
        return self._score(before + new + after) - self._score(before + word + after)

    @staticmethod
    def _window(text: str, spans: list[tuple[int, int]], index: int) -> tuple[str, str]:
        """The text before and after word ``index`` within :data:`REAL_WORD_WINDOW` words."""
        start, end = spans[index]
        first = spans[max(0, index - REAL_WORD_WINDOW)][0]
        last = spans[min(len(spans) - 1, index + REAL_WORD_WINDOW)][1]
        return text[first:start], text[end:last]
