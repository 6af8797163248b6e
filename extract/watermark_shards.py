"""Watermark shards glued to the end of body lines (``... NOT Com 틈 8 SSleeeee1@``), the
third detector of :mod:`extract.furniture`: *anchor* tokens are tokens seen on many pages
that almost only ever occur in the last few positions of a line. A line's tail made of
anchors (or near-copies of them) and short junk tokens is cut off, provided it holds at
least one anchor. Learns from the document itself; knows none of this book's strings.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ingest.document import Line

if TYPE_CHECKING:
    from extract.furniture import FurnitureModel

#: A token is a watermark anchor when this share of its occurrences sits in a line's tail ...
ANCHOR_TAIL_SHARE = 0.9
#: ... it appears on at least this share of pages ...
ANCHOR_MIN_PAGE_SHARE = 0.03
#: ... and its tail is the last TAIL_TOKENS tokens of a line (the shard
#: ``NOT Com 틈 8 SSleeeee1@`` is five tokens long).
TAIL_TOKENS = 6
#: A token that is this similar to an anchor counts as one (OCR varies the shard).
ANCHOR_SIMILARITY = 70
#: ... or shares its first ANCHOR_PREFIX characters with a longer anchor.
ANCHOR_PREFIX = 5
#: A token where the shard cut stops on this share of its tail occurrences (and on enough
#: pages) is part of the watermark too: ``NOT com`` before ``틈 8 SSleeeee1@``.
STOPPER_SHARE = 0.5
MAX_ANCHOR_ROUNDS = 3
#: Latin/digit tokens this short, single Hangul syllables, and tokens without any letter
#: may sit between shard tokens (two-syllable Korean tokens are words and stop the cut).
JUNK_TOKEN_MAX_LEN = 2

_HAS_LETTER = re.compile(r"[^\W\d_]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _token_key(token: str) -> str:
    """Lower case without sentence punctuation: ``axle.`` at a line end is the word
    ``axle``, which also occurs mid-line, so a sentence end never looks like a shard."""
    return token.lower().rstrip(".,;:!?。") or token.lower()


def _is_junk_token(token: str) -> bool:
    if not _HAS_LETTER.search(token):
        return True
    if _HANGUL.search(token):
        return len(token) == 1
    return len(token) <= JUNK_TOKEN_MAX_LEN


def learn_anchors(pages: list[list[Line]]) -> frozenset[str]:
    """Tokens that live at line ends on many pages: the watermark's vocabulary.

    Only long lines vote (at least twice :data:`TAIL_TOKENS` tokens): in a short line every
    token is "at the end", which would make running headers look like watermarks.
    """
    in_tail: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    page_count: Counter[str] = Counter()
    for lines in pages:
        seen: set[str] = set()
        for line in lines:
            tokens = [_token_key(t) for t in line.text.split()]
            if len(tokens) < 2 * TAIL_TOKENS:
                continue
            cut = len(tokens) - TAIL_TOKENS
            for position, token in enumerate(tokens):
                anywhere[token] += 1
                if position >= cut:
                    in_tail[token] += 1
                    seen.add(token)
        page_count.update(seen)
    min_pages = max(3, ANCHOR_MIN_PAGE_SHARE * len(pages))
    return frozenset(
        token for token, pages_seen in page_count.items()
        if pages_seen >= min_pages
        and in_tail[token] / anywhere[token] >= ANCHOR_TAIL_SHARE
        and _HAS_LETTER.search(token)
    )


def _tail_cut(text: str, model: FurnitureModel) -> list[str]:
    """Tokens left before a line-final shard run, or [] when the line has no such run."""
    tokens = text.split()
    cut = len(tokens)
    anchored = False
    while cut > 0:
        kind = model.kind_of(tokens[cut - 1])
        if kind == _WORD:
            break
        anchored = anchored or kind != _JUNK
        cut -= 1
    return tokens[:cut] if anchored else []


def expand_anchors(pages: list[list[Line]], anchors: frozenset[str]) -> frozenset[str]:
    """Add the tokens the shard cut keeps stopping at.

    Watermark pieces also land mid-line (two-column reading), which dilutes their tail
    share; but a token that blocks the cut on many pages, and does so on most of its tail
    occurrences, belongs to the shard.
    """
    from extract.furniture import FurnitureModel  # the model classifies with this module

    min_pages = max(3, ANCHOR_MIN_PAGE_SHARE * len(pages))
    for _ in range(MAX_ANCHOR_ROUNDS):
        model = FurnitureModel([], anchors)
        stops: Counter[str] = Counter()
        stop_pages: Counter[str] = Counter()
        in_tail: Counter[str] = Counter()
        for lines in pages:
            seen: set[str] = set()
            for line in lines:
                tokens = line.text.split()
                for token in tokens[-TAIL_TOKENS:]:
                    in_tail[_token_key(token)] += 1
                tokens_left = _tail_cut(line.text, model)
                if tokens_left:
                    stopper = _token_key(tokens_left[-1])
                    stops[stopper] += 1
                    if len(tokens) - len(tokens_left) >= TAIL_TOKENS:
                        in_tail[stopper] += 1  # a long cut stops before the tail window
                    seen.add(stopper)
            stop_pages.update(seen)
        new = {token for token, n in stop_pages.items()
               if n >= min_pages and stops[token] / in_tail[token] >= STOPPER_SHARE
               and _HAS_LETTER.search(token)}
        if new <= anchors:
            break
        anchors = anchors | new
    return anchors


def strip_shards(text: str, model: FurnitureModel) -> tuple[str, list[str]]:
    """Cut watermark shards out of a line; return (clean line, removed pieces).

    A shard is a run of anchor and junk tokens holding at least one anchor. At the end of
    a line any such run goes; inside a line (two-column reading puts shards there) only a
    run holding a *strong* anchor (a long one, like ``SSleeeee1@``) goes, because short
    anchors such as ``do``/``no`` are also ordinary words.
    """
    tokens = text.split()
    kinds = [model.kind_of(token) for token in tokens]
    keep = [True] * len(tokens)
    pieces: list[str] = []
    start = 0
    while start < len(tokens):
        if kinds[start] == _WORD:
            start += 1
            continue
        end = start
        while end < len(tokens) and kinds[end] != _WORD:
            end += 1
        run = kinds[start:end]
        if _STRONG in run or (end == len(tokens) and _ANCHOR in run):
            keep[start:end] = [False] * (end - start)
            pieces.append(" ".join(tokens[start:end]))
        start = end
    if not pieces:
        return text, []
    return " ".join(t for t, k in zip(tokens, keep) if k), pieces


_WORD, _JUNK, _ANCHOR, _STRONG = "word", "junk", "anchor", "strong"


def _classify(token: str, model: FurnitureModel) -> str:
    if model.is_anchor(token):
        return _STRONG if len(token) >= ANCHOR_PREFIX else _ANCHOR
    return _JUNK if _is_junk_token(token) else _WORD
