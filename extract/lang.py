"""Language tags: script first, then langdetect for text written in Latin letters.

Hangul, kana and Han settle Korean, Japanese and Chinese from the characters alone, and
that is both cheaper and surer than n-gram statistics on text full of English service
names (langdetect calls ``SageMaker 配置 モデル`` Norwegian). For Latin-script text
langdetect names the language (seeded, so the same text always gets the same tag); short
or ambiguous Latin text is ``en``, the language of the exam material.
"""
from __future__ import annotations

import re
from functools import lru_cache

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
#: Share of letters that must be Hangul (or Han) for the text to count as ko (zh);
#: kana needs half of it (Japanese mixes kana with Han).
SCRIPT_SHARE = 0.2
#: Latin text shorter than this (letters) is too short for langdetect to be trusted.
MIN_LATIN_LETTERS = 40
#: langdetect's probability needed to tag Latin text with something other than ``en``.
MIN_PROBABILITY = 0.9
DEFAULT_LATIN = "en"


def detect_lang(text: str) -> str | None:
    """An ISO 639-1 tag (``ko``, ``ja``, ``zh``, ``en``, ``de`` …); ``None`` without letters."""
    hangul, kana = len(_HANGUL.findall(text)), len(_KANA.findall(text))
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    total = hangul + kana + han + latin
    if total == 0:
        return None
    if kana / total >= SCRIPT_SHARE / 2:
        return "ja"
    if hangul / total >= SCRIPT_SHARE:
        return "ko"
    if han / total >= SCRIPT_SHARE:
        return "zh"
    if latin < MIN_LATIN_LETTERS:
        return DEFAULT_LATIN
    return _langdetect(text)


#: langdetect's profiles never used: Korean, Japanese and Chinese are decided by script
#: (above), and text below those shares is tagged by its other letters, so these profiles
#: could only turn a mixed text's tag into ``zh-cn``/``ko`` against the script rule (on the
#: 14 real exam files they never won). Left out, the factory costs 43 MB instead of 63:
#: their characters are most of langdetect's n-grams.
SCRIPT_DECIDED = frozenset({"ja", "ko", "zh-cn", "zh-tw"})


@lru_cache(maxsize=1)
def _factory():
    """langdetect's detector factory without the :data:`SCRIPT_DECIDED` profiles, seeded (langdetect
    samples n-grams at random; the seed makes the same text always get the same tag)."""
    import os

    import langdetect
    from langdetect.detector_factory import DetectorFactory

    folder = os.path.join(os.path.dirname(langdetect.__file__), "profiles")
    factory = DetectorFactory()
    profiles = []
    for language in sorted(set(os.listdir(folder)) - SCRIPT_DECIDED):
        with open(os.path.join(folder, language), encoding="utf-8") as handle:
            profiles.append(handle.read())
    factory.load_json_profile(profiles)
    factory.set_seed(0)
    return factory


@lru_cache(maxsize=4096)
def _langdetect(text: str) -> str:
    from langdetect.lang_detect_exception import LangDetectException

    try:
        detector = _factory().create()
        detector.append(text)
        best = detector.get_probabilities()[0]
    except LangDetectException:
        return DEFAULT_LATIN
    return best.lang if best.prob >= MIN_PROBABILITY else DEFAULT_LATIN


def warm_up() -> None:
    """Load langdetect's profiles now. Its loader catches everything with a bare
    ``except:``, so an interrupt or a time-budget alarm landing during a lazy first load
    would be swallowed and leave it half-loaded: builds load it up front."""
    _factory()
