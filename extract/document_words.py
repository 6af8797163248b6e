"""The document's own nouns as the Korean corrector's last lexicon.

An OCR'd book garbles a word in one place and prints it right in ten others: the guide
reads 원칙 as 원직, 파악 as 파아, 워크플로 as 위크들로 a few times each, and prints each
of them right throughout. The domain lexicon (AWS/ML terms) and the common nouns
(``data/general_ko.json``) cannot hold every word a document is about, but the document
itself can: a noun kiwi reads as printed, :data:`MIN_COUNT` times or more in one
:meth:`~extract.ocr_correct.KoreanCorrector.correct_many` call, becomes a snap target for a
stem kiwi reads as no word at all and that no other lexicon placed.

The snap is the domain lexicon's one with a tighter budget per jamo (``document_costs`` in
``data/ocr_ko.json``: at the domain's budget a real word kiwi does not know, 최소값, became
최소한, a noun the guide prints), a clear winner among the document's nouns, and the words
around the garbled one must find the document's noun likelier by :data:`CONTEXT_MARGIN`:
a scrap of a diagram read as text is near some noun of a long document as often as a
garbled word is. The dev pairs do not move (30 paragraphs from all over the book, in
one call: few nouns recur three times); the synthetic set, 17 paragraphs a call, gains 0.3 points;
the guide's OCR lines, corrected in one call, get 36 edits, 33 of them right (인반 → 일반,
위크들로 → 워크플로, 잠가자 → 참가자, 출럭 → 출력), the others scraps read as other
scraps. Only the stems left over are looked at, once every text of the call has
been read, so the cost is a list append per noun and a look-up per leftover stem.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from extract.hangul import all_syllables
from extract.lexicon_snap import LexiconSnapper, SnapCosts

#: how often a noun must be printed (and read by kiwi as itself) to be a snap target
MIN_COUNT = 3
#: how much likelier the words around a garbled stem must find the document's noun. In the
#: guide, at 6 half of the 20 edits it adds to those at 8 are wrong (인코 → 인구 where
#: 인코딩 was meant, 신점도 → 시점도 for 산점도); at 12 the synthetic set keeps half of
#: its gain and the guide a third of its right edits (bench/ocr_synthetic.py)
CONTEXT_MARGIN = 8.0


@dataclass(frozen=True)
class Leftover:
    """A word whose noun stem kiwi reads as no word and no lexicon placed: where it is in
    its text (``start``), the stem's span inside it, and the words around it."""

    start: int
    word: str
    lo: int
    hi: int
    context: tuple[str, str]


@dataclass
class DocumentWords:
    """The nouns one call has printed, and the stems it could not place."""

    #: the known nouns of two syllables or more that stand as a word's stem, as printed
    printed: list[str] = field(default_factory=list)
    leftovers: dict[int, list[Leftover]] = field(default_factory=dict)


    def keep(self, n: int, leftovers: list[Leftover]) -> None:
        """The stems text ``n`` left over, as its last pass over it found them."""
        if leftovers:
            self.leftovers[n] = leftovers
        else:
            self.leftovers.pop(n, None)

    def snapper(self, groups: dict, costs: SnapCosts) -> LexiconSnapper | None:
        """A snapper over the nouns printed often enough (lexicon words among them too:
        the lexicons' own snaps are stricter or need a wider context margin); None when
        there are none or nothing is left over."""
        if not self.leftovers:
            return None
        words = [w for w, n in Counter(self.printed).items()
                 if n >= MIN_COUNT and all_syllables(w)]
        return LexiconSnapper(words, groups, costs) if words else None
