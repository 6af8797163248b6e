"""Unicode and whitespace normalization shared by every extractor.

NFC, never NFKC: NFKC would rewrite compatibility jamo and full-width forms that the
Korean OCR corrector needs to see as they are.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]")


def normalize_text(text: str) -> str:
    """NFC, control characters dropped, runs of spaces collapsed, ends stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


#: UTF-8 punctuation read through the Hebrew code page (cp1255) when web text is pasted:
#: ``’`` (E2 80 99) shows as ``ג€™``. ftfy repairs the cp1252/latin-1 family but not this one.
_CP1255_MOJIBAKE = re.compile("ג€[\u0080-\u00ff\u2010-\u203a\u2122\u20ac\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]")


def _undo_cp1255(match: re.Match[str]) -> str:
    raw = bytearray()
    for char in match.group():
        for codec in ("cp1255", "cp1252", "latin-1"):  # undefined bytes pass as C1 controls
            try:
                raw += char.encode(codec)
                break
            except UnicodeEncodeError:
                continue
        else:
            return match.group()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


#: Characters every mojibake of this kind contains (Latin-1 / cp1252 / Hebrew letters);
#: lines without them (plain Korean or English) skip ftfy, which is slow per call.
_MOJIBAKE_HINT = re.compile("[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                            "\u0192\u02c6\u02dc\u05d0-\u05ea\u20ac\u2122]")


def fix_mojibake(text: str) -> str:
    """Repair pasted web text decoded with the wrong code page (``â€™``, ``ג€™`` → ``’``),
    then NFC. ftfy does the cp1252 family; its width/quote/ligature rewrites are off, so
    Hangul, full-width forms and curly quotes stay as written (never NFKC)."""
    if not _MOJIBAKE_HINT.search(text):
        return unicodedata.normalize("NFC", text)
    import ftfy

    text = ftfy.fix_text(text, uncurl_quotes=False, fix_character_width=False,
                         fix_latin_ligatures=False, normalization="NFC")
    return unicodedata.normalize("NFC", _CP1255_MOJIBAKE.sub(_undo_cp1255, text))
