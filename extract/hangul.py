"""Hangul syllable arithmetic (Unicode composes a syllable as 588·initial + 28·vowel + final),
shared by the OCR corrector's rules and the jamo-level lexicon snapping."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

BASE = 0xAC00
SYLLABLES = 11172
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
          "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]


def is_syllable(char: str) -> bool:
    return 0 <= ord(char) - BASE < SYLLABLES


def all_syllables(word: str) -> bool:
    """A non-empty word made only of precomposed Hangul syllables."""
    return bool(word) and all(is_syllable(c) for c in word)


def final_index(syllable: str) -> int:
    """0 for an open syllable, else the index of its final consonant in :data:`FINALS`."""
    return (ord(syllable) - BASE) % 28


def vowel(syllable: str) -> str:
    return VOWELS[(ord(syllable) - BASE) // 28 % 21]


def with_final(syllable: str, final: str) -> str:
    """The syllable with its final consonant replaced (``"" `` removes it)."""
    code = ord(syllable) - BASE
    return chr(BASE + code - code % 28 + FINALS.index(final))


def jamo(word: str) -> tuple[str, ...]:
    """Position-tagged jamo: ``"섹션"`` → ``("iㅅ", "vㅔ", "fㄱ", "iㅅ", "vㅕ", "fㄴ")``, so an
    initial and a final of the same letter never compare equal; other characters pass as is."""
    out: list[str] = []
    for char in word:
        code = ord(char) - BASE
        if 0 <= code < SYLLABLES:
            out.append("i" + INITIALS[code // 588])
            out.append("v" + VOWELS[code // 28 % 21])
            if code % 28:
                out.append("f" + FINALS[code % 28])
        else:
            out.append(char)
    return tuple(out)


@lru_cache(maxsize=65536)
def jamo_string(word: str) -> str:
    """The word as a string of conjoining jamo (Unicode NFD): initials and finals are
    distinct code points, like :func:`jamo`'s tags, but rapidfuzz compares strings fast."""
    return unicodedata.normalize("NFD", word)


@lru_cache(maxsize=65536)
def jamo_similarity(a: str, b: str) -> float:
    """Normalized Levenshtein similarity of two words' jamo, case-blind (0..1)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_similarity(jamo_string(a.lower()), jamo_string(b.lower()))


def syllable_variants(syllable: str, alternatives: dict[str, list[str]]) -> list[str]:
    """The syllables that differ from ``syllable`` in one jamo, taken from
    ``alternatives`` (position-tagged as :func:`jamo` tags them: ``"vㅏ" -> ["vㅑ", "vㅘ"]``;
    ``"f"`` is the open syllable's missing final)."""
    code = ord(syllable) - BASE
    parts = (INITIALS[code // 588], VOWELS[code // 28 % 21], FINALS[code % 28])
    out: list[str] = []
    for position, tag in enumerate("ivf"):
        for other in alternatives.get(tag + parts[position], ()):
            letters = list(parts)
            letters[position] = other[1:]
            out.append(chr(BASE + INITIALS.index(letters[0]) * 588
                           + VOWELS.index(letters[1]) * 28 + FINALS.index(letters[2])))
    return out
