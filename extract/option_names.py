"""How closely a run of an OCR'd reading matches an option's name, and when the name the
answer page gives an option is the same words read again, and cleaner (the names of
:mod:`extract.two_column`'s options)."""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Indel

from extract.hangul import all_syllables, jamo_similarity

#: Jamo similarity from which two tokens count as the same word read twice.
TOKEN_MATCH_MIN = 0.6


@lru_cache(maxsize=65536)
def name_similarity(run: str, name: str) -> float:
    """How well a run of a reading matches an option's name, 0..1, weighted to recall.

    Words (punctuation stripped) match when their jamo are ``TOKEN_MATCH_MIN`` alike;
    characters by their longest common subsequence. A rationale names an option
    shortly (``CPU 인스템스`` for ``CPU 훈련 인스단스``, ``SageMaker AMT`` for
    ``SageMaker 자동 도델 ;gAMT)``), so how much of the name the run covers counts most,
    and how much of the run is name counts less: the run must still beat the single word
    ``인스템스``, and ``로치스리 회기`` must match ``로지스틱 회귀``.
    """
    words_run, words_name = _words(run), _words(name)
    if not words_run or not words_name:
        return 0.0
    chars_run, chars_name = "".join(words_run), "".join(words_name)
    common = (len(chars_run) + len(chars_name)
              - Indel.distance(chars_run, chars_name)) / 2
    found_name = sum(max(_word_match(w, v) for w in words_run) for v in words_name)
    found_run = sum(max(_word_match(w, v) for v in words_name) for w in words_run)
    score = (0.4 * found_name / len(words_name) + 0.4 * common / len(chars_name)
             + 0.1 * found_run / len(words_run) + 0.1 * common / len(chars_run))
    # a name abbreviates its option, never the other way round: a run with fewer words
    # than the name misses part of the option (``강화`` for ``강화 학습``)
    return score * min(1.0, len(words_run) / len(words_name)) ** 0.5


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    """Words split at spaces and punctuation: ``라티(RL)`` is two words."""
    return tuple(re.findall(r"\w+", text))


@lru_cache(maxsize=16384)
def _word_match(a: str, b: str) -> float:
    """1 for the same word read twice (jamo ``TOKEN_MATCH_MIN`` alike), half for a Hangul
    word of the same length (``라티`` for ``학습``: the OCR garbles whole syllables), else 0."""
    if jamo_similarity(a, b) >= TOKEN_MATCH_MIN:
        return 1.0
    if len(a) == len(b) and all_syllables(a) and all_syllables(b):
        return 0.5
    return 0.0


#: Jamo similarity from which an option and its name are the same words read twice
#: (``허트 면``/``하트 맵``), with no word pair below ``SAME_WORD_MIN`` (``순한``/``심층``
#: are two words: ``순한 신경망`` is not ``심층 신경망`` however alike ``신경망`` is).
SAME_TEXT_MIN = 0.6
SAME_WORD_MIN = 0.3


def better_reading(text: str, names: list[str]) -> str | None:
    """The name the answer page gives an option, when it is the same words read again.

    The answer page's prose is set large and reads cleaner than the option column
    (``이진 분규`` is ``이진 분류는`` in the rationale, ``로치스리 회기`` is ``정답은 C 로지스틱
    회귀입니다``). A name replaces the option's text only word for word: as many words,
    each pair alike in its jamo, so an abbreviating name (``CPU 인스템스`` for ``CPU 훈련
    인스단스``) or one the book words differently (``심층 신경망`` for ``순한 신경망``) never
    does.
    """
    words = text.split()
    best, best_score = None, 0.0
    for name in names:
        other = name.split()
        if len(other) != len(words) or name == text:
            continue
        pair = [jamo_similarity(a, b) for a, b in zip(words, other)]
        whole = jamo_similarity(text, name)
        if min(pair) >= SAME_WORD_MIN and whole >= SAME_TEXT_MIN and whole > best_score:
            best, best_score = name, whole
    if best is None:
        return None
    # the stated name is cut at its "입니다", where the OCR often garbles a closing
    # bracket glued to it (``강화 학습(R니입니다``): an unclosed bracket takes the option's
    return " ".join(_close_bracket(mine, theirs) for mine, theirs in zip(best.split(), words))


_OPEN_BRACKET = re.compile(r"\([^)]*$")
_BRACKETED = re.compile(r"\([^()]*\)$")


def _close_bracket(word: str, page_word: str) -> str:
    """``학습(R니`` with the page's ``C습(RL)`` -> ``학습(RL)``."""
    opened = _OPEN_BRACKET.search(word)
    closed = _BRACKETED.search(page_word)
    if opened and closed:
        return word[: opened.start()] + closed.group()
    return word
