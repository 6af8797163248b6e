"""OCR debris inside body lines: stray tokens and the slides' bullet icons.

Two processors, both on text the furniture detector has already cut its shards from:

* :func:`strip_stray_tokens`, one line at a time: speckles and watermark pieces by shape
  (symbol clusters, short lower-case Latin, letters glued to ``@&<>``), between Korean
  words or at a sentence boundary.
* :func:`strip_icon_bullets`, one page (or one ``qbank clean`` line) at a time: the round
  bullet icons of a slide, which the OCR reads as a digit, a capital, a bracket or a couple
  of letters with a round glyph (``0``, ``6``, ``C``, ``)``, ``CO``, ``OD``, ``Dm``), standing
  where a sentence begins. A step number and an option label have the same shape; they are
  told apart by the sequence they belong to (see :func:`strip_icon_bullets`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from extract.rules import load_rules

RULES = "stray_tokens"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: a cluster of symbols the OCR makes of specks (``>``, ``%``, ``@``); arrows are never among
#: them (none in the whole OCR'd guide) and mean something where a text has them (``↓ Mac용``)
_STRAY_SYMBOLS = re.compile(r"^[^\w\s\-–—·/&+=(),:;.\[\]\u2190-\u21ff]+$")
_STRAY_LATIN = re.compile(r"^[a-z]{1,3}$")
#: a Latin name or acronym starting a phrase (``ML``, ``SageMaker``)
_NAME_START = re.compile(r"^[A-Z][A-Za-z0-9]")
#: Shapes no word, name or identifier has, dropped wherever they stand (unless protected).
_STRONG_DEBRIS = tuple(re.compile(p) for p in (
    r"^(?=.*[a-z])[\w'.]*@(?![\w-]+\.)[\w'.?]*$",     # e1@gman (an @ but no e-mail domain)
    r"^[A-Za-z][a-z]?[<>]$|^[<>][A-Za-z][a-z]?$",     # Pe<
    r"^[a-z]+&[a-z]+$",                               # ssle&l
    r"^(?=.*([A-Za-z])\1{3})[\w'\"@.]+$",               # SSleeeeer: one letter four times over
    r"^[a-z][A-Z]{2,}[a-z]+$",                        # cOTi: case salad (iPhone, eBay stay)
))
#: Shapes no word has, dropped between Korean words, at a line's start or end beside a
#: Korean word, and at a sentence boundary.
_SALAD = tuple(re.compile(p) for p in (
    r"^[A-Z]{2,}[a-rt-z]$",                      # SSx (but APIs, IDs stay)
    r"^\d[A-Z][a-z]+$",                          # 9Lcom
    r"^(?=.{6,}$)[a-z]+\d+[a-z]+$",              # an5eraaf (base64, sha256 stay)
))
#: Shapes of OCR debris (watermark pieces, speckles) that no sentence starts with. They
#: are dropped only at a sentence boundary: after a Korean sentence end or at the start of
#: the line, before the next sentence or the end of the line.
_BOUNDARY_DEBRIS = tuple(re.compile(p) for p in (
    _STRAY_SYMBOLS.pattern,                      # symbol clusters: > % @
    r"^\(\)$",                                   # empty brackets
    r"^'?[a-z]{1,3}$",                           # om, com, ' e
    r"^(?=.*[a-z])[\w'.]*[@&<>|~^{}#$\\][\w'.]*$",  # lower-case letters glued to @ & < >
    r"^(?=[a-z]*\d)[a-z\d]{6,}$",                # lower-case letters and digits: an5eraaf
    r"^[A-Za-z0-9]?_+$",                         # O_ (an icon read with a stroke under it)
)) + _SALAD
#: a watermark's tail: up to this many short tokens before a strong-debris token that ends
#: the line (``N gman' 8 Ssleeeee1@``, ``9 NO 틈 8 Ssleeeee1@``)
MAX_TAIL = 4
_TAIL_PIECE = re.compile(r"^[^\uac00-\ud7a3\s]{1,2}$|^[a-z]+['\"]$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_SENTENCE_END = re.compile(r"[\uac00-\ud7a3][.!?]$|[다요]$")
_SENTENCE_START = re.compile(r"^[\uac00-\ud7a3A-Z(\"'‘“]")


def _is_boundary_debris(token: str) -> bool:
    return not _EMAIL.match(token) and any(p.match(token) for p in _BOUNDARY_DEBRIS)


def strip_stray_tokens(text: str) -> tuple[str, list[str]]:
    """Drop OCR debris from a line, in two situations. (Lone capitals and digits are never
    debris: they are option labels and step numbers, ``합니다. C 할인이``.)

    Between Korean words: symbol-only tokens (``>``, ``@``, ``{``), case salad and lower-case
    speckles (``om``, ``e``, ``eee``: :func:`_is_speckle`); speckles also between a Korean
    word and a Latin name (``증가 om ML``). Capitals stay there (``B`` is an option label,
    ``Al`` an OCR'd ``AI`` the corrector fixes), and so do lone digits, the letters that
    name a variable (``x 값의 Y 값``, ``p 값``: :func:`variables`) and English words
    (``log 변환``).

    At a sentence boundary (line start or after a Korean sentence end, up to the next
    sentence or the line end): runs of debris-shaped tokens (:data:`_BOUNDARY_DEBRIS` —
    symbol clusters, short lower-case Latin, letters glued to ``@&<>_``, case salad like
    ``cOTi``). A sentence does not start with such a token, so a run there is a speckle
    or a watermark piece read into the text."""
    words = text.split()
    tail = _watermark_tail(words)
    tokens: list[str] = []
    strong: list[str] = []
    for token in words[:len(words) - len(tail)]:
        (strong if any(p.match(token) for p in _STRONG_DEBRIS) else tokens).append(token)
    strong += tail
    keep = [True] * len(tokens)
    for i in range(1, len(tokens) - 1):
        before, token, after = tokens[i - 1], tokens[i], tokens[i + 1]
        if not _HANGUL.search(before):
            continue
        if _HANGUL.search(after):
            keep[i] = not (_STRAY_SYMBOLS.match(token) or any(p.match(token) for p in _SALAD)
                           or _is_speckle(token))
        elif _NAME_START.match(after):
            keep[i] = not _is_speckle(token)
    if len(tokens) > 1:  # a line's first or last token beside a Korean word: a page's edge
        for i, neighbour in ((0, tokens[1]), (len(tokens) - 1, tokens[-2])):
            if any(p.match(tokens[i]) for p in _SALAD) and _HANGUL.search(neighbour):
                keep[i] = False
    i = 0
    while i < len(tokens):
        if i == 0 or _SENTENCE_END.search(tokens[i - 1]):
            end = i
            while end < len(tokens) and _is_boundary_debris(tokens[end]):
                end += 1
            if end > i and (end == len(tokens) or _SENTENCE_START.match(tokens[end])):
                for j in range(i, end):
                    keep[j] = False
            i = max(end, i + 1)
        else:
            i += 1
    removed = strong + [t for t, k in zip(tokens, keep) if not k]
    if not removed:
        return text, []
    return " ".join(t for t, k in zip(tokens, keep) if k), removed



def _is_speckle(token: str) -> bool:
    """One to three lower-case letters that name nothing: not a variable (``x``), and three
    letters only when they are no English word either (``eee``, ``oom`` go; ``log``, ``max``,
    ``set`` stay)."""
    if not _STRAY_LATIN.match(token) or token in variables():
        return False
    return len(token) < 3 or token not in _english()


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    from extract.latin_words import common_english

    return frozenset(common_english())


def _watermark_tail(tokens: list[str]) -> list[str]:
    """The tokens ending a line that are a watermark read into it: a strong-debris token
    last, and up to :data:`MAX_TAIL` short non-Hangul pieces before it (``N gman' 8``), a
    lone Hangul syllable among them included (the logo read as ``틈``: ``N 틈 8``). The page
    watermark is printed at the foot of every page, so the OCR glues it to a paragraph's
    end; a word of the text (``있습니다. 이``, ``EC2``) ends the run.

    The logo also reads as a lone syllable right after the paragraph's last sentence,
    then one short piece (``합니다. 틈 DO Ssleeeee1@``, ``알 8``, ``잎 DO``: 14 times in the
    guide, twice in the dev pairs, where the gold drops it); a syllable followed by the
    whole ``N 틈 8`` run is the next sentence's first word (``있습니다. 이 N 틈 8``)."""
    if not tokens or not any(p.match(tokens[-1]) for p in _STRONG_DEBRIS):
        return []
    start = len(tokens) - 1
    while start > 0 and len(tokens) - start <= MAX_TAIL:
        piece = tokens[start - 1]
        lone_syllable = (len(piece) == 1 and _HANGUL.match(piece) and start > 1
                         and (_TAIL_PIECE.match(tokens[start - 2])
                              or (len(tokens) - start == 2 and _SENTENCE_END.search(tokens[start - 2]))))
        if not (_TAIL_PIECE.match(piece) or lone_syllable or _is_boundary_debris(piece)):
            break
        start -= 1
    return tokens[start:]


#: what an icon bullet reads as: a digit, a capital, a lone bracket, or two or three
#: letters/digits holding a round glyph (the circle icons: CO, OD, OII, Dm, @L, 0s)
_ICON = re.compile(r"^(?:\d|[A-Z]|[()]|(?=.{2,3}$)(?=.*[OCDQ0@])(?=.*[A-Za-z])[A-Z0-9@][A-Za-z0-9]+)$")
#: a list label: a lone digit or capital, bare or closed by ``.`` / ``)``
_LABEL = re.compile(r"^(\d|[A-Z])[.)]?$")
#: a label may skip one value of its sequence (an option lost to the OCR: ``B … D E``)
LABEL_GAP = 2
#: an icon run holds at most this many tokens (``6 >``, ``N 틈 8`` is the watermark's)
MAX_ICON_RUN = 2


@lru_cache(maxsize=1)
def short_terms() -> frozenset[str]:
    """Acronyms of the icon shape that are words (``CD``, ``ORC``; ``data/stray_tokens.json``)."""
    return frozenset(load_rules(RULES)["short_terms"])


@lru_cache(maxsize=1)
def variables() -> frozenset[str]:
    """Lower-case letters that stand alone between Korean words as a variable's name
    (``입력 x 값의``, ``통계, p 값``, ``k 평균``; ``data/stray_tokens.json``)."""
    return frozenset(load_rules(RULES)["variables"])


def _label_value(token: str) -> tuple[str, int] | None:
    """(kind, value) of a list label: ``("digit", 3)`` for ``3`` / ``3.``, ``("letter", 2)``
    for ``C``; None for anything else."""
    match = _LABEL.match(token)
    if not match:
        return None
    char = match.group(1)
    return ("digit", int(char)) if char.isdigit() else ("letter", ord(char) - ord("A"))


def _in_sequence(position: int, labels: list[tuple[int, tuple[str, int]]]) -> bool:
    """Does the label at ``position`` continue a sequence of the unit's labels: one of its
    kind before it with a value up to :data:`LABEL_GAP` lower, or after it up to that much
    higher (``1 … 2``, ``B … D``, not ``7 … 6``)?"""
    (kind, value), = [label for at, label in labels if at == position]
    for at, (other_kind, other) in labels:
        if other_kind != kind or at == position:
            continue
        if at < position and 0 < value - other <= LABEL_GAP:
            return True
        if at > position and 0 < other - value <= LABEL_GAP:
            return True
    return False


def _is_icon(token: str) -> bool:
    return bool(_ICON.match(token)) and token not in short_terms()


def strip_icon_bullets(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """Drop the OCR'd slide icons of one unit of text (a page, or a ``qbank clean`` line);
    return the lines and, per line, the tokens removed.

    An icon run is one or two tokens at a sentence boundary (a line's start, or after a
    Korean sentence end) followed by the start of a sentence: icon-shaped
    tokens (:data:`_ICON`, not a known acronym) and debris symbols (``6 >``). A lone digit
    or capital there is also what a step number or an option label looks like (``합니다.
    2 기준 생성:``, ``B 지식 기반 …``); it is kept when another label of the unit continues
    its sequence (:func:`_in_sequence`), and dropped when it stands alone (``형성합니다. 0
    기계 학습은``, ``있습니다. F 확장성:``) or runs backwards (``7 … 6``). A ``0`` is a label
    only when a ``1`` or ``2`` follows it."""
    split = [line.split() for line in lines]
    labels: list[tuple[int, tuple[str, int]]] = []
    flat = 0
    positions: list[list[int]] = []
    for tokens in split:
        positions.append(list(range(flat, flat + len(tokens))))
        for offset, token in enumerate(tokens):
            value = _label_value(token)
            if value is not None:
                labels.append((flat + offset, value))
        flat += len(tokens)
    out_lines: list[str] = []
    removed: list[list[str]] = []
    for tokens, where in zip(split, positions):
        keep = [True] * len(tokens)
        for i in range(len(tokens)):
            if i and not _SENTENCE_END.search(tokens[i - 1]):
                continue
            end = i
            while (end < len(tokens) and end - i < MAX_ICON_RUN
                   and (_is_icon(tokens[end]) or _STRAY_SYMBOLS.match(tokens[end]))):
                end += 1
            if end == i or not any(_is_icon(t) for t in tokens[i:end]):
                continue
            if end == len(tokens) or not _SENTENCE_START.match(tokens[end]):
                continue  # a token alone at a line's end is a chart's or a diagram's label
            if any(_label_value(t) and _in_sequence(where[j], labels)
                   for j, t in enumerate(tokens[i:end], start=i)):
                continue
            for j in range(i, end):
                keep[j] = False
        gone = [t for t, k in zip(tokens, keep) if not k]
        removed.append(gone)
        out_lines.append(" ".join(t for t, k in zip(tokens, keep) if k) if gone else lines[len(out_lines)])
    return out_lines, removed
