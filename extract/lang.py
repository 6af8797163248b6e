"""Language tags by script: cheap, deterministic and right for the ko/ja/en material here.

Hangul or kana settle Korean and Japanese at once; Latin-only text is tagged ``en``
(langdetect joins in with the DOCX/article readers, where Latin-script languages mix).
"""
from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
#: Share of letters that must be Hangul (or kana) for the text to count as ko (ja).
SCRIPT_SHARE = 0.2


def detect_lang(text: str) -> str | None:
    """``ko``, ``ja``, ``zh`` or ``en``; ``None`` for text without letters."""
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
    return "en"
