"""The Korean corrector's stem snapping: a noun stem the OCR garbled (kiwi reads it as no
word, as a rare one, or as pieces) is replaced by the word it was garbled from, looked up
in three lexicons in turn:

* the domain lexicon (``data/domain_ko.json``, :class:`~extract.lexicon_snap.LexiconSnapper`):
  AWS/ML terms, with the widest budget of look-alike edits;
* the common nouns (``data/general_ko.json``), look-alike jamo only and only where the
  words around the stem say so (:data:`GENERAL_CONTEXT_MARGIN`);
* the nouns the document itself prints (:mod:`extract.document_words`), once every text of
  a call is read.

Mixed into :class:`extract.ocr_correct.KoreanCorrector`, which gives ``kiwi``, the
snappers, the particle sets, ``correct_word`` and the cached ``_score``.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

from extract.document_words import CONTEXT_MARGIN as DOCUMENT_CONTEXT_MARGIN
from extract.document_words import DocumentWords
from extract.edits import Edit
from extract.ocr_rules import VERIFY_MARGIN

_HANGUL_ONLY = re.compile(r"^[\uac00-\ud7a3]+$")
_AFFIX_TAGS = frozenset({"XSN", "XPN", "XSA", "XSV"})
#: punctuation that may close a word
_CLOSING = ".,:;!?)]'\""
#: how much likelier the words around a garbled word must find a common noun in its place
#: (:meth:`KoreanCorrector._snap_word`); at 4-8 the guide's diagram scraps became words
#: (맛취 → 마취, 리후 → 기후), at 12 only a few of them do, and the synthetic set keeps
#: most of the gain (bench/ocr_synthetic.py)
GENERAL_CONTEXT_MARGIN = 12.0
#: a lone known noun scoring below this is rare enough to be looked up in the lexicon
RARE_SCORE = -12.0
#: margin for replacing a stem kiwi read as known words (an OOV stem needs VERIFY_MARGIN)
KNOWN_MARGIN = 4.0
#: the copula's syllables (이 with an ending): kiwi reads the last syllable of a garbled
#: loanword ending in one (도메인, 파이프라인, 파일) as the copula after an unknown noun. Only
#: after a stem of two syllables or more: 종인 is 중인 ("being"), no 승인
COPULA_READS = "인일임"


class StemSnaps:
    """The corrector's lexicon snaps (see the module docstring)."""

    kiwi: Any
    snapper: Any
    general: Any
    particle_starts: frozenset[str]
    particle_reads: frozenset[str]
    jamo_groups: dict
    document_costs: Any
    correct_word: Callable[[str], str]
    _score: Callable[[str], float]
    _context_gain: Callable[[str, str, tuple[str, str]], float]

    @staticmethod
    def _suspect_stem(stem: list) -> bool:
        """A noun stem worth a lexicon look-up: unknown to kiwi, rare, or read as pieces."""
        if not stem:
            return False
        return len(stem) > 1 or stem[0].oov or stem[0].score < RARE_SCORE

    def _snap_word(self, word: str, offset: int, stem: list,
                   context: Callable[[], tuple[str, str]]) -> tuple[str, float, str] | None:
        """Replace the noun stem of ``word`` (one that is not all known pieces: the caller
        asks :func:`_known_piece`) by the lexicon word it was garbled from.

        A particle glued into an unknown stem (트래피올) is split off first; whatever follows
        the stem then goes through the typo layer again. Kept only when kiwi scores the new
        word better, by more when the old stem was made of known words.

        A stem kiwi reads as no word at all that the domain lexicon cannot place may snap
        onto a common noun (``data/general_ko.json``: 습라이드 → 슬라이드, 카데고리 →
        카테고리) through look-alike jamo only, and only when the words around it
        (``context()``, :meth:`_window`) make the sentence likelier by
        :data:`GENERAL_CONTEXT_MARGIN`: the common words are many, and a scrap of a diagram
        read as text is near one of them as often as a garbled word is."""
        lo = stem[0].start - offset
        hi = stem[-1].start - offset + stem[-1].len
        form = word[lo:hi]
        if not _HANGUL_ONLY.match(form):
            return None
        glued = form[-1] in self.particle_starts
        if glued and self._is_known(form[:-1]):
            return None  # a known word with a misread particle: the typo layer's business
        margin = VERIFY_MARGIN if any(t.oov for t in stem) else KNOWN_MARGIN
        unknown = len(stem) == 1 and stem[0].oov
        cuts = [len(form), len(form) - 1] if glued else [len(form)]
        rest = word[hi:]
        if 0 < len(rest) <= 2 and _HANGUL_ONLY.match(word[lo:]) and (
                rest[0] in self.particle_reads or len(form) > 1 and rest[0] in COPULA_READS):
            # what kiwi took for a particle, or for the copula (이 + ending), may be the
            # stem's own last syllable read as one (데이터서트 = 데이터세트, not 데이터서 + 를;
            # 도데인 = 도메인, not 도데 + 이 + ㄴ): the whole word competes
            form, cuts = word[lo:], [len(word) - lo] + cuts
        general = unknown and not any(self.snapper.knows(form[:cut]) for cut in range(2, len(form) + 1))
        best: tuple[str, float, str] | None = None
        for cut in cuts:
            found = self.snapper.snap(form[:cut], unknown=unknown)
            # onto a common noun, a glued particle is the one syllable left (카데고리는), never
            # a stem's own last syllable before another particle (백분울을 is no 배분 + 울을)
            common = found is None and general and len(word) - lo - cut <= 1
            if common:
                found = self.general.snap(form[:cut])
            if found is None:
                continue
            target, cost = found
            new = word[:lo] + target + word[lo + cut:]
            if lo + cut < len(word):
                new = self.correct_word(new)
            if common and not self._context_gain(word, new, context()) >= GENERAL_CONTEXT_MARGIN:
                continue
            if (self._score(_bare(new)) >= self._score(_bare(word)) + margin
                    and (best is None or cost < best[1])):
                best = (new, cost, "common-snap" if common else "lexicon-snap")
        return best

    def _snap_leftovers(self, document: DocumentWords, typed: list[tuple[str, list[Edit]]]) -> None:
        """Snap the stems no lexicon placed onto the nouns the same texts print
        (:mod:`extract.document_words`), in ``typed`` (each text as the typo layer left it,
        with its edits)."""
        snapper = document.snapper(self.jamo_groups, self.document_costs)
        if snapper is None:
            return
        for n, leftovers in sorted(document.leftovers.items()):
            text, edits = typed[n]
            changed = False
            for left in reversed(leftovers):
                found = snapper.snap(left.word[left.lo:left.hi])
                if found is None:
                    continue
                new = left.word[:left.lo] + found[0] + left.word[left.hi:]
                if (self._context_gain(left.word, new, left.context) < DOCUMENT_CONTEXT_MARGIN
                        or self._score(_bare(new)) < self._score(_bare(left.word)) + VERIFY_MARGIN):
                    continue
                at = left.start + sum(len(e.after) - len(e.before) for e in edits if e.start < left.start)
                text = text[:at] + new + text[at + len(left.word):]
                edits.append(Edit(left.start, left.word, new, "document-snap", round(found[1], 3)))
                changed = True
            if changed:
                typed[n] = (text, sorted(edits, key=lambda e: e.start))

    def _is_known(self, stem: str) -> bool:
        """Is ``stem`` a word kiwi knows (one known noun, or known nouns with a suffix such
        as 효율+적)? Such a stem is never snapped: it may be the word the writer meant."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokens = self.kiwi.tokenize(stem)
        return all(_known_piece(t) for t in tokens)


def _bare(word: str) -> str:
    """``word`` without the punctuation closing it: kiwi reads a word before a colon as a
    name (``음선:`` is one unknown proper noun, ``음선`` two known pieces), so a word is
    scored as itself."""
    return word.rstrip(_CLOSING) or word


def _known_piece(token: Any) -> bool:
    """A token kiwi knows that can stand in a stem as written: a word, or an affix (효율+적)."""
    return not token.oov and (token.len > 1 or token.tag in _AFFIX_TAGS)
