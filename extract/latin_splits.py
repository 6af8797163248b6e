"""The Latin corrector's pass over a text: its tokens' proposals, and the names and words
the OCR read with a space inside (``Sage Maker``, ``Spe cialty``). Mixed into
:class:`extract.latin_correct.LatinCorrector`, which gives ``correct_token``, ``targets``,
``limits`` and ``is_known``."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from extract.latin_tokens import _LATIN, _TOKEN, _protected

#: the next word after a token and one space (a name's second half: ``Sage Maker``)
_NEXT_WORD = re.compile(r" ([A-Z][a-z]+)(?![A-Za-z0-9])")
_NEXT_PIECE = re.compile(r" ([a-z]+)(?![A-Za-z0-9])")
#: one-letter words: never the first half of a word split in two (a part, a way)
_LETTER_WORDS = frozenset({"a", "i"})
#: a word split in two is joined only when it is this long (short ones abound by chance)
MIN_SPLIT_WORD = 5


class LatinSplits:
    """See the module docstring."""

    targets: dict[str, Any]
    limits: Any
    correct_token: Callable[[str], tuple[str, float, str] | None]
    is_known: Callable[[str], bool]

    def _proposals(self, text: str) -> list[tuple[int, str, tuple[str, float, str]]]:
        """(start, token, correction) of the tokens of ``text`` the lexicon would change,
        outside chunks that look like code, URLs, e-mail addresses or file names."""
        if not _LATIN.search(text):
            return []
        found = []
        split_at = -1
        for match in _TOKEN.finditer(text):
            if match.start() < split_at:
                continue  # the second half of a name rejoined below
            split = self._split_name(text, match)
            if split is not None:
                found.append((match.start(), split[0], split[1]))
                split_at = match.start() + len(split[0])
                continue
            correction = self.correct_token(match.group())
            if correction is None:
                continue
            start, end = match.span()
            if not _protected(text, start, end):
                found.append((start, match.group(), _bracket_for_slash(correction, text, end)))
        return found

    def _split_name(self, text: str, match: re.Match[str]) -> tuple[str, tuple[str, float, str]] | None:
        """A CamelCase name of the lexicon the OCR read with a space inside (``Sage Maker``):
        the two tokens and the name they make. Only names with an inner capital, so two
        words that are a name together (``Data Wrangler``) stay apart. Else a word split
        in two (:meth:`_split_word`)."""
        following = _NEXT_WORD.match(text, match.end())
        if following is None:
            return self._split_word(text, match)
        joined = match.group() + following.group(1)
        target = self.targets.get(joined.lower())
        if (target is None or not target.impose or target.glued
                or not any(c.isupper() for c in target.form[1:])):
            return None
        return match.group() + following.group(0), (target.form, self.limits.glue_cost, "latin-split")

    def _split_word(self, text: str, match: re.Match[str]) -> tuple[str, tuple[str, float, str]] | None:
        """A word the OCR read with a space inside (``Spe cialty``, ``Le arning``, ``Manage
        d``): the two pieces, when together they are a known word of
        :data:`MIN_SPLIT_WORD` letters or more and one of them is none (a one-letter piece
        counts as none, but for ``a`` and ``I`` first; an acronym is never a first half).
        Two words stay apart (``in to``, ``a part``), and so does a chunk that looks like
        code."""
        following = _NEXT_PIECE.match(text, match.end())
        if following is None:
            return None
        first, second = match.group(), following.group(1)
        if (not first.isalpha() or first.lower() in _LETTER_WORDS or len(first) > 1 and first.isupper()
                or len(first + second) < MIN_SPLIT_WORD or not self.is_known(first + second)):
            return None  # an acronym is no half word (EMBER AB i)
        if len(first) > 1 and len(second) > 1 and self.is_known(first) and self.is_known(second):
            return None
        if _protected(text, match.start(), following.end()):
            return None
        target = self.targets.get((first + second).lower())
        form = target.form if target is not None and target.impose else first + second
        return first + following.group(0), (form, self.limits.glue_cost, "latin-split")


def _bracket_for_slash(correction: tuple[str, float, str], text: str, end: int
                       ) -> tuple[str, float, str]:
    """A letter read for ``(`` looks like one read for ``/``: when the text closes a bracket
    soon after with none opened (``ServicelAWS KMS)``), it was ``(``."""
    fixed, cost, reason = correction
    if reason != "latin-slash":
        return correction
    rest = text[end: end + 40]
    close, open_ = rest.find(")"), rest.find("(")
    if close >= 0 and (open_ < 0 or open_ > close):
        return fixed.replace("/", "(", 1), cost, reason
    return correction
