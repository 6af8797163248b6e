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
