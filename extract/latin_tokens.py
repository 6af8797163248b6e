"""What the Latin corrector reads as a token, and the whitespace chunks it never touches
(code, URLs, paths, e-mail addresses, file names)."""
from __future__ import annotations

import re

#: a Latin token: letters and digits between non-alphanumerics (Hangul included)
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?![A-Za-z0-9])")
_LATIN = re.compile(r"[A-Za-z]")
_CHUNK = re.compile(r"\S+")
_SPACES = " \t\n\r\f\v\u00a0\u3000"
#: a whitespace chunk holding one of these is code, a URL, a path, an e-mail or a file name
_PROTECT = re.compile(
    r"://|www\.|https?|ttps|@|_|=|\\|[{}<>`$#|~^]|::|->|/\S*/|\.(?:com|org|net|io)\b"
    # dotted names (file.csv, sagemaker.session), calls (fit(), Estimator(role, ...)
    r"|[A-Za-z0-9]\.[A-Za-z0-9]|[A-Za-z0-9]\((?:\)|[^)\s]*[,'\"])"
    # a URL whose slashes and dots the OCR read as l (comlsagemakerllatest, httpsllaws)
    r"|(?<![a-z])coml|ll(?:aws|docs|support|latest|mlu)",
    re.IGNORECASE)


def _protected(text: str, start: int, end: int) -> bool:
    """Does the whitespace chunk holding ``text[start:end]`` look like code, a URL, a path,
    an e-mail or a file name (:data:`_PROTECT`)?"""
    left = max(text.rfind(c, 0, start) for c in _SPACES) + 1
    right = min((i for i in (text.find(c, end) for c in _SPACES) if i >= 0), default=len(text))
    return bool(_PROTECT.search(text, left, right))
