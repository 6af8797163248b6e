"""Explanation lines that two-column reading moved: a line read before the explanation's
start (:func:`restore_line_order`), a column's short last line read into the line above
(:func:`complete_last_sentence`)."""
from __future__ import annotations

import re
import unicodedata

from extract.two_column import _HANGUL, ICON_DEBRIS

#: A sentence end, plain or formal (``…합니다``, ``…됨``, ``?``).
SENTENCE_END = re.compile(r"(?:다|요|음)[.]?$|[.?!]$")
_TRAILING_DEBRIS = re.compile(rf"(?:\s+{ICON_DEBRIS})+$")


def display_width(text: str) -> int:
    """Printed width in half-width units: a Hangul syllable is as wide as two Latin letters
    (a column's lines are alike in width, not in characters)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def restore_line_order(chunk: str, text: str) -> tuple[str, dict | None]:
    """Put back a line that two-column reading moved before the explanation's start.

    The explanation column's second line is often read first, before ``설명:`` or the
    answer's label (the right column's header sits on the first line's row): p. 233
    ``효율적입니다. 이 모델을 … 있습니다. 설명: 해석 가능성이 … 태스크에도``. The line goes
    back after the first line: at the end when the text stops mid-sentence and the line
    ends one (only there does a sentence complete); else at the word boundary where the
    first line would end, its length being about the moved line's (lines of one column
    are alike in length), never right after a sentence end when the line starts in the
    middle of one. Returns the text and what was moved where (``None``: nothing).
    """
    chunk, text = chunk.strip(), text.strip()
    if len(chunk.split()) < 2 or not _HANGUL.search(chunk):
        return f"{chunk} {text}".strip(), None
    body = _TRAILING_DEBRIS.sub("", text)
    if SENTENCE_END.search(chunk) and not SENTENCE_END.search(body):
        return f"{text} {chunk}", {"moved": chunk, "to": "end", "rule": "completes the sentence"}
    boundaries = [m.start() for m in re.finditer(r"\s+", text)]
    candidates = [b for b in boundaries if not SENTENCE_END.search(text[:b])]
    if not candidates:
        return f"{text} {chunk}", {"moved": chunk, "to": "end", "rule": "no mid-sentence boundary"}
    width = display_width(chunk)
    where = min(candidates, key=lambda b: (abs(display_width(text[:b]) - width), b))
    move = {"moved": chunk, "to": "after", "after": text[:where].split()[-1],
            "rule": f"first line as wide as the moved one ({width} half-width units)"}
    return f"{text[:where]} {chunk} {text[where:].strip()}", move


#: A formal sentence end (the book writes 합니다 style; ``…보다`` ends no sentence).
_ENDS_FORMAL = re.compile(r"[니나]다[.]?$|니까[?]?$|[.?!]$")
#: Words of one line of an explanation column, at most.
LINE_MAX_TOKENS = 16
_LABEL = re.compile(r"^[A-H][.:;]?$")
#: Words the last line of a column may have when the OCR reads it into the line above.
LAST_LINE_MAX_TOKENS = 4


def complete_last_sentence(text: str) -> tuple[str, dict | None]:
    """Move a column's short last line back to the end, where two-column reading put it
    into the line above (p. 231: ``… 알고리즘입니다. 이 [탐지에 적합합니다.] 알고리즘은 …
    사기 행위``).

    Only when the text stops mid-sentence: the moved piece is the text's last sentence end
    with the words before it back to (not including) a word that ends no sentence, at most
    ``LAST_LINE_MAX_TOKENS``; the longest such piece is taken, and what follows it must
    not end a sentence either.
    """
    tokens = text.split()
    body = _TRAILING_DEBRIS.sub("", text).split()
    if len(body) < 4 or _ENDS_FORMAL.search(body[-1]):
        return text, None
    end = max((i for i, t in enumerate(body) if _ENDS_FORMAL.search(t)), default=None)
    if end is None:
        return text, None
    tail = body[end + 1:]
    # the rest is one line: a few words, no option label (a label starts a rationale)
    if not 2 <= len(tail) <= LINE_MAX_TOKENS or any(_LABEL.match(t) for t in tail):
        return text, None
    best = None
    for start in range(end, max(0, end - LAST_LINE_MAX_TOKENS + 1) - 1, -1):
        if start == 0 or _ENDS_FORMAL.search(body[start - 1]):
            break
        if any(_ENDS_FORMAL.search(t) for t in body[start:end]):
            break
        best = start
    if best is None:
        return text, None
    piece = body[best: end + 1]
    rest = body[:best] + body[end + 1:] + tokens[len(body):]
    return " ".join(rest + piece), {"moved": " ".join(piece), "to": "end",
                                    "rule": "a column's last line read into the line above"}
