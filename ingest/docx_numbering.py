"""Word auto-numbering: turn a paragraph's ``numPr`` into the label Word would show.

In an auto-numbered list the letter or number is not in the text; it lives in the
numbering part. A paragraph names a ``w:num`` (``numId``) and a level (``ilvl``), directly or
through its style (and the style's ``basedOn`` chain). The ``w:num`` points at a
``w:abstractNum`` whose ``w:lvl`` gives ``numFmt`` (upperLetter, decimal, ...), ``lvlText``
(``%1.``, ``(%1)``) and ``start``; a ``w:lvlOverride/w:startOverride`` restarts a level.
Counters belong to the abstract list, so two ``w:num`` of the same list continue each
other unless one restarts; a deeper level restarts when a shallower one advances.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

#: The label of a bulleted list item (Word draws a symbol; which one does not matter).
BULLET = "•"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(element: Any, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return None if found is None else found.get(W + "val")


def _letters(n: int, upper: bool) -> str:
    """1 → A, 26 → Z, 27 → AA (Word repeats the letter)."""
    letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
    return letter if upper else letter.lower()


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


#: numFmt → how a counter is written. Unknown formats fall back to decimal.
FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "upperLetter": lambda n: _letters(n, True),
    "lowerLetter": lambda n: _letters(n, False),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "decimalZero": lambda n: f"{n:02d}",
    "bullet": lambda n: "",
    "none": lambda n: "",
}


@dataclass(frozen=True)
class Level:
    fmt: str
    text: str
    start: int


@dataclass
class Numbering:
    """The numbering definitions of one document and the running counters."""

    levels: dict[str, dict[int, Level]] = field(default_factory=dict)        # abstractNumId →
    num_to_abstract: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)       # numId → ilvl → start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)        # abstractNumId →
    _restarted: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def from_document(cls, document: Any) -> "Numbering":
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return numbering  # no numbering part: nothing is auto-numbered
        for abstract in root.findall(W + "abstractNum"):
            levels = {}
            for lvl in abstract.findall(W + "lvl"):
                levels[int(lvl.get(W + "ilvl", "0"))] = Level(
                    _val(lvl, W + "numFmt") or "decimal",
                    _val(lvl, W + "lvlText") or "",
                    int(_val(lvl, W + "start") or 1))
            numbering.levels[abstract.get(W + "abstractNumId")] = levels
        for num in root.findall(W + "num"):
            num_id = num.get(W + "numId")
            numbering.num_to_abstract[num_id] = _val(num, W + "abstractNumId") or ""
            for override in num.findall(W + "lvlOverride"):
                start = _val(override, W + "startOverride")
                if start is not None:
                    numbering.overrides.setdefault(num_id, {})[int(override.get(W + "ilvl"))] = int(start)
        return numbering

    def list_of(self, num_id: str) -> str:
        """The list a ``w:num`` belongs to (its abstract list: counters are shared)."""
        return self.num_to_abstract.get(num_id, num_id)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the list and return the visible label (``A.``; :data:`BULLET` for a
        bulleted item), or None if not numbered."""
        abstract = self.num_to_abstract.get(num_id)
        if num_id == "0" or abstract is None or abstract not in self.levels:
            return None
        levels = self.levels[abstract]
        if ilvl not in levels:
            return None
        counters = self.counters.setdefault(abstract, {})
        restart = self.overrides.get(num_id, {}).get(ilvl)
        if restart is not None and (num_id, ilvl) not in self._restarted:
            self._restarted.add((num_id, ilvl))
            counters[ilvl] = restart
        else:
            counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        level = levels[ilvl]
        if level.fmt == "bullet":
            return BULLET

        def expand(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            ref = levels.get(k)
            value = counters.get(k, ref.start if ref else 1)
            return FORMATS.get(ref.fmt if ref else "decimal", str)(value)

        return re.sub(r"%(\d)", expand, level.text).strip() or None


def paragraph_numpr(paragraph: Any, styles: "StyleTable") -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph: its own ``numPr``, else its style chain's."""
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        num_id = p_pr.numPr.numId
        ilvl = p_pr.numPr.ilvl
        if num_id is not None:
            return str(num_id.val), int(ilvl.val) if ilvl is not None else 0
    return styles.numpr(paragraph)


class StyleTable:
    """Paragraph-style facts resolved once per document (python-docx looks a style up by
    scanning the styles part on every ``paragraph.style``, the reader's main cost)."""

    def __init__(self, document: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self._styles = {s.style_id: s for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        self._default = next((s for s in self._styles.values() if s.element.default), None)
        self._numpr: dict[str | None, tuple[str, int] | None] = {}
        self._bold: dict[str | None, bool] = {}

    def _style(self, paragraph: Any) -> Any:
        p_pr = paragraph._p.pPr
        style_id = p_pr.pStyle.val if p_pr is not None and p_pr.pStyle is not None else None
        return style_id, self._styles.get(style_id, self._default) if style_id else self._default

    def numpr(self, paragraph: Any) -> tuple[str, int] | None:
        style_id, style = self._style(paragraph)
        if style_id not in self._numpr:
            found = None
            while style is not None and found is None:
                s_pr = style.element.pPr
                if s_pr is not None and s_pr.numPr is not None and s_pr.numPr.numId is not None:
                    ilvl = s_pr.numPr.ilvl
                    found = (str(s_pr.numPr.numId.val), int(ilvl.val) if ilvl is not None else 0)
                style = style.base_style
            self._numpr[style_id] = found
        return self._numpr[style_id]

    def bold(self, paragraph: Any) -> bool:
        style_id, style = self._style(paragraph)
        if style_id not in self._bold:
            value = False
            while style is not None:
                if style.font.bold is not None:
                    value = bool(style.font.bold)
                    break
                style = style.base_style
            self._bold[style_id] = value
        return self._bold[style_id]
