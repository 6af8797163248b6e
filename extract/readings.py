"""Two OCR readings of one text merged word by word.

Every knowledge check is printed twice — on its question page and again on its answer
page — and the OCR garbles the two prints differently (p. 126 ``기장 직합히 데이터``,
p. 127 ``기장 적합한 데이터``; p. 45 ``자랑올 개발히고 옛습니다``, p. 46 ``사랑올 개발히고
있습니다``). Where the two readings align word for word, a word they disagree on is taken
from the reading that Kiwi's language model finds likelier in its sentence, so each
word comes from whichever print the OCR read better. Readings that do not align (a
two-column page read in another order) are left as they are.
"""
from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from extract.hangul import jamo_string

#: Share of words two readings must have in common, in order, to be merged.
ALIGN_MIN = 0.6
#: Words of context on each side when the language model compares two variants.
CONTEXT = 2
#: Log-probability margin the other reading's word needs to replace the primary's.
MARGIN = 1.0


@dataclass(frozen=True)
class WordChoice:
    """One disagreement: the word kept, the word rejected, and the score margin."""

    index: int
    kept: str
    rejected: str
    margin: float

    def as_dict(self) -> dict:
        return {"index": self.index, "kept": self.kept, "rejected": self.rejected,
                "margin": round(self.margin, 3)}


def _score(texts: list[str]) -> list[float]:
    from extract.ocr_correct import get_corrector

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [result[0][1] for result in get_corrector().kiwi.analyze(texts, top_n=1)]


def _same_script(a: str, b: str) -> bool:
    """Two readings of one Hangul word: the language model scores Latin letters, digits
    and symbols as likely as any syllable (``ML8`` over ``ML용``, ``Com`` over ``배포``), so
    only words whose letters are the same kinds compete."""
    kinds = _kinds(a)
    return kinds == _kinds(b) and kinds[0]


@lru_cache(maxsize=65536)
def _kinds(word: str) -> tuple[bool, bool, bool]:
    return (bool(_HANGUL.search(word)), bool(_LATIN.search(word)), bool(_OTHER.search(word)))


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z0-9]")
_OTHER = re.compile(r"[^\w\s]")


def choose_words(words: list[str], variants: list[tuple[int, str]]) -> tuple[str, list[WordChoice]]:
    """``words`` with each (position, other reading) taken where the language model
    prefers it (same script kinds only; a digit read into a Hangul word loses to the
    word read without it: ``9적화`` / ``직적화``)."""
    words = list(words)
    outright = []
    for i, variant in variants:
        if _digit_garbled(words[i], variant):
            outright.append(WordChoice(i, variant, words[i], 0.0))
            words[i] = variant
    # the language model favours short words: only readings of one length compete
    # (``전`` is not a reading of ``전락``), or nearly one length in long words
    pairs = [(i, v) for i, v in variants if _same_script(words[i], v) and words[i] != v
             and (len(v) == len(words[i]) or (abs(len(v) - len(words[i])) == 1
                                              and min(len(v), len(words[i])) >= 3))]
    text, choices = _choose(words, pairs)
    return text, sorted(outright + choices, key=lambda c: c.index)


def _digit_garbled(word: str, variant: str) -> bool:
    """``9적화`` against ``직적화``, ``ML8`` against ``ML용``: the same word but for a digit
    where the other reading has a Hangul syllable (the OCR's digit look-alikes)."""
    if len(word) != len(variant) or not re.search(r"\d", word):
        return False
    differ = [(a, b) for a, b in zip(word, variant) if a != b]
    return bool(differ) and all(a.isdigit() and _HANGUL_WORD.match(b) for a, b in differ)


_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")


def merge_readings(primary: str, other: str) -> tuple[str, list[WordChoice]]:
    """``primary`` with each word the readings disagree on taken from the likelier one."""
    words, others = primary.split(), other.split()
    if not words or not others:
        return primary, []
    matcher = difflib.SequenceMatcher(a=words, b=others, autojunk=False)
    common = sum(block.size for block in matcher.get_matching_blocks())
    if common / max(len(words), len(others)) < ALIGN_MIN:
        return primary, []
    pairs = [(i, others[j1 + (i - i1)])
             for tag, i1, i2, j1, j2 in matcher.get_opcodes()
             if tag == "replace" and i2 - i1 == j2 - j1 for i in range(i1, i2)]
    return choose_words(words, pairs)

#: Jamo similarity from which a word of the answer page's prose is a candidate reading of
#: a word of the question (``과회`` / ``과학``).
BORROW_MIN = 0.7
#: A word from elsewhere on the page needs more of the language model's preference than
#: a second reading of the same word (``사용하는`` is not ``사용되는`` misread).
BORROW_MARGIN = 2 * MARGIN


def borrow_words(text: str, vocabulary: set[str]) -> tuple[str, list[WordChoice]]:
    """``text`` with garbled words replaced by the answer page's spelling of them.

    The answer page's prose is set large and read cleanly, and it repeats the question's
    terms (p. 44's rationale spells ``코딩 … 데이터 과학 관련`` where the option reads
    ``코팅또는 데이터 과회 관련``). A word gets the prose's alike word (jamo
    ``BORROW_MIN`` alike, same script kinds, at most one letter longer or shorter) when
    Kiwi's language model prefers it in the sentence by ``BORROW_MARGIN``, and it parses as the
    same parts of speech.
    """
    words = text.split()
    pairs = []
    pool = sorted(vocabulary)
    for i, word in enumerate(words):
        if word in vocabulary or not _HANGUL.search(word) or len(word) < 2:
            continue
        choices = [v for v in pool if abs(len(v) - len(word)) <= 1 and _same_script(word, v)]
        if not choices:
            continue
        found = process.extractOne(jamo_string(word), [jamo_string(v) for v in choices],
                                   scorer=Levenshtein.normalized_similarity, score_cutoff=BORROW_MIN)
        if found is not None:
            pairs.append((i, choices[found[2]]))
    tags = _tags_of({w for i, v in pairs for w in (words[i], v)})
    pairs = [(i, v) for i, v in pairs if tags[v] == tags[words[i]]]
    return _choose(words, pairs, BORROW_MARGIN)


_TAGS: dict[str, tuple[str, ...]] = {}


def _tags_of(words: set[str]) -> dict[str, tuple[str, ...]]:
    """Each word's morpheme tags alone, analysed in one batch (and remembered). A
    borrowed word must parse as the same parts (``함수는``/``합수는``: noun + particle):
    one that differs in its particle or ending (``사용하여``/``사용하는``,
    ``용도로``/``용도가``) is another word form, not a misreading."""
    from extract.ocr_correct import get_corrector

    todo = sorted(w for w in words if w not in _TAGS)
    if todo:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for word, tokens in zip(todo, get_corrector().kiwi.tokenize(todo)):
                _TAGS[word] = tuple(token.tag for token in tokens)
    return {w: _TAGS[w] for w in words}


def _choose(words: list[str], pairs: list[tuple[int, str]],
            margin: float = MARGIN) -> tuple[str, list[WordChoice]]:
    """Each (index, variant) decided by the language model in its context."""
    if not pairs:
        return " ".join(words), []
    texts = []
    for i, variant in pairs:
        left = words[max(0, i - CONTEXT): i]
        right = words[i + 1: i + 1 + CONTEXT]
        texts.append(" ".join(left + [words[i]] + right))
        texts.append(" ".join(left + [variant] + right))
    scores = _score(texts)
    merged, choices = list(words), []
    for n, (i, variant) in enumerate(pairs):
        mine, theirs = scores[2 * n], scores[2 * n + 1]
        if theirs - mine > margin:
            merged[i] = variant
            choices.append(WordChoice(i, variant, words[i], theirs - mine))
    return " ".join(merged), choices
