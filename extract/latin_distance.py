"""The look-alike distance of the Latin corrector: a *skeleton* of a word (look-alike
classes folded: the candidate search key) and the weighted edit distance that ranks the
candidates, with the OCR's look-alikes (``data/latin_terms.json``'s ``confusions``) as the
cheap edits."""
from __future__ import annotations

from typing import Any

_INF = float("inf")
#: look-alike classes folded for the candidate search (multi-letter readings first)
_SKELETON_PAIRS = (("rn", "m"), ("cl", "d"), ("vv", "w"))
_SKELETON_CHARS = str.maketrans({"c": "e", "i": "l", "1": "l", "t": "l", "j": "l", "b": "h",
                                 "u": "n", "q": "g", "9": "g", "5": "s", "0": "o", "z": "2"})


def skeleton(word: str, pairs: bool = True) -> str:
    """``word`` with every look-alike class folded to one letter (a search key only);
    ``pairs=False`` leaves the multi-letter readings (rn, cl, vv) as they are."""
    word = word.lower()
    if pairs:
        for pair, single in _SKELETON_PAIRS:
            word = word.replace(pair, single)
    return word.translate(_SKELETON_CHARS)


def lookalike_distance(read: str, meant: str, limits: Any, confusions: dict[str, list[tuple[str, float]]],
                       lengths: list[int], bound: float = _INF) -> float:
    """Edit cost from ``read`` (lower case) to ``meant`` (see
    :meth:`extract.latin_correct.LatinCorrector.weighted_distance`): ``limits`` gives the
    generic, doubled-letter and narrow-letter costs, ``confusions`` the look-alikes by what
    is read, ``lengths`` the lengths of those readings, longest first."""
    generic = limits.generic_cost
    double = limits.double_letter_cost
    thin, thin_cost = limits.thin_letters, limits.thin_indel_cost
    n, m = len(read), len(meant)
    row = [[_INF] * (m + 1) for _ in range(n + 1)]
    row[0][0] = 0.0
    reach = max(lengths, default=1)
    for i in range(n + 1):
        if all(min(r) > bound for r in row[i:i + reach]):
            return _INF  # every path already costs more than the caller can use
        cur = row[i]
        for j in range(m + 1):
            base = cur[j]
            if base == _INF:
                continue
            if i < n:
                ch = read[i]
                nxt = row[i + 1]
                if j < m and ch == meant[j]:
                    if base < nxt[j + 1]:
                        nxt[j + 1] = base
                elif not ch.isdigit():
                    if j < m and base + generic < nxt[j + 1]:
                        nxt[j + 1] = base + generic
                    drop = double if i and read[i - 1] == ch else thin_cost if ch in thin else generic
                    if base + drop < nxt[j]:
                        nxt[j] = base + drop
                for size in lengths:
                    if i + size > n:
                        continue
                    for target, cost in confusions.get(read[i:i + size], ()):
                        k = len(target)
                        if meant[j:j + k] == target and base + cost < row[i + size][j + k]:
                            row[i + size][j + k] = base + cost
            if j < m:
                add = (double if j and meant[j - 1] == meant[j]
                       else thin_cost if meant[j] in thin else generic)
                if base + add < cur[j + 1]:
                    cur[j + 1] = base + add
    return row[n][m]
