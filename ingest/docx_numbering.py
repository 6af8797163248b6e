"""Word auto-numbering: turn a paragraph's ``numPr`` into the label Word would show.

In an auto-numbered list the letter or number is not in the text; it lives in the
numbering part. A paragraph names a ``w:num`` (``numId``) and a level (``ilvl``), directly or
through its style (and the style's ``basedOn`` chain). The ``w:num`` points at a
``w:abstractNum`` whose ``w:lvl`` gives ``numFmt`` (upperLetter, decimal, ...), ``lvlText``
(``%1.``, ``(%1)``) and ``start``; a ``w:lvlOverride/w:startOverride`` restarts a level.
Counters belong to the abstract list, so two ``w:num`` of the same list continue each
other unless one restarts; a deeper level restarts when a shallower one advances.

Hostile and unlucky files (issue 12) are read, not dropped: every number is parsed here
with :func:`decimal_number` instead of python-docx's typed accessors (``numId.val`` raised
``InvalidXmlError`` on a ``w:numId`` without ``w:val`` and ``ValueError`` on
``w:start="one"``, which lost the whole source as an "internal error"); what could not be
used is skipped and reported once as an :class:`~ingest.document.Issue` in an
:class:`IssueLog`. Styles are read straight off ``styles.xml`` for the same reason (see
:class:`StyleTable`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterator

from ingest.document import Issue

#: The label of a bulleted list item (Word draws a symbol; which one does not matter).
BULLET = "•"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_VAL = W + "val"

#: Word's list levels are ``w:ilvl`` 0-8; any other level is ignored (a numbering part
#: with 100,000 levels would otherwise make every label walk 100,000 counters).
MAX_LEVEL = 8
#: Largest counter written in roman numerals: ``w:start="1000000000"`` in upperRoman built
#: a million ``M`` per label by repeated string concatenation (the reader hung). Word's
#: own roman numbering stops at 3999 (MMMCMXCIX) too; beyond it the number is decimal.
ROMAN_MAX = 3999
#: Largest counter written in letters (ZZZZ): the letter repeats once per 26, so
#: ``w:start="1000000000"`` in upperLetter gave a 38-million-character label per item.
LETTER_MAX = 26 * 4
#: Longest ``lvlText`` used (Word's are a few characters: ``%1.``, ``Câu %1:``). Each label
#: expands every ``%N`` of it, so 100 kB of ``%1`` made every paragraph of the list cost
#: 50,000 substitutions and its label 50,000 digits; longer texts are cut here.
MAX_LEVEL_TEXT = 256
#: Longest ``basedOn`` chain followed. Real chains are a handful of styles deep; without
#: a bound, 10,000 styles based on one another would cost 10,000 steps per paragraph style.
MAX_STYLE_DEPTH = 64

#: ``ST_OnOff`` values that switch a property off (``w:b w:val="0"``); any other value of
#: a present element switches it on (python-docx raised ``InvalidXmlError`` on
#: ``w:val="maybe"``; presence is what Word's writers mean by it).
OFF = frozenset({"0", "false", "off"})
ON = frozenset({"1", "true", "on"})

COMPONENT = "docx_reader"


class IssueLog:
    """What the reader worked around in one document (``Document.issues``), each problem
    once: a hostile file can repeat the same fault in 20,000 paragraphs, and the manifest
    wants one line saying so. ``key`` says which problems are "the same" (by default the
    message itself)."""

    def __init__(self) -> None:
        self.items: list[Issue] = []
        self._keys: set[tuple[str, Hashable]] = set()

    def add(self, flag: str, message: str, key: Hashable = None) -> None:
        mark = (flag, message if key is None else key)
        if mark not in self._keys:
            self._keys.add(mark)
            self.items.append(Issue(COMPONENT, flag, message))


def decimal_number(raw: Any) -> int | None:
    """``int(raw)`` as python-docx parses ``ST_DecimalNumber`` (so a valid file reads
    exactly as before), or None when it is not a number (``"one"``, missing, or more
    digits than Python converts)."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def on_off(element: Any) -> bool:
    """A present ``ST_OnOff`` element (``w:b``, ``w:i``): on unless ``w:val`` says off."""
    value = element.get(W_VAL)
    return value is None or value not in OFF


def _val(element: Any, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return None if found is None else found.get(W_VAL)


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

#: numFmt → the largest counter it writes; larger counters are written in decimal.
FORMAT_MAX = {"upperLetter": LETTER_MAX, "lowerLetter": LETTER_MAX,
              "upperRoman": ROMAN_MAX, "lowerRoman": ROMAN_MAX}


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
    issues: IssueLog = field(default_factory=IssueLog)

    @classmethod
    def from_document(cls, document: Any, issues: IssueLog | None = None) -> "Numbering":
        """Read numbering.xml. A level, start or override that is not a number is skipped
        (the level's default is used) and reported as ``numbering_invalid``: one bad
        ``w:lvlOverride`` without ``w:ilvl`` used to drop the whole source."""
        numbering = cls(issues=issues if issues is not None else IssueLog())
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return numbering  # no numbering part: nothing is auto-numbered
        flag = numbering.issues.add
        for abstract in root.findall(W + "abstractNum"):
            abstract_id = abstract.get(W + "abstractNumId")
            levels = {}
            for lvl in abstract.findall(W + "lvl"):
                raw = lvl.get(W + "ilvl", "0")
                ilvl = decimal_number(raw)
                if ilvl is None or not 0 <= ilvl <= MAX_LEVEL:
                    flag("numbering_invalid", f"list {abstract_id}: w:lvl with w:ilvl={raw!r} (levels are "
                         f"0-{MAX_LEVEL}): level ignored", key="lvl_ilvl")
                    continue
                raw_start = _val(lvl, W + "start")
                start = decimal_number(raw_start or 1)
                if start is None:
                    flag("numbering_invalid", f"list {abstract_id} level {ilvl}: w:start={raw_start!r} is "
                         "not a number: counted from 1", key="start")
                    start = 1
                text = _val(lvl, W + "lvlText") or ""
                if len(text) > MAX_LEVEL_TEXT:
                    flag("numbering_invalid", f"list {abstract_id} level {ilvl}: w:lvlText of {len(text)} "
                         f"characters: cut to {MAX_LEVEL_TEXT}", key="lvlText")
                    text = text[:MAX_LEVEL_TEXT]
                levels[ilvl] = Level(_val(lvl, W + "numFmt") or "decimal", text, start)
            numbering.levels[abstract_id] = levels
        for num in root.findall(W + "num"):
            num_id = num.get(W + "numId")
            numbering.num_to_abstract[num_id] = _val(num, W + "abstractNumId") or ""
            for override in num.findall(W + "lvlOverride"):
                raw_start = _val(override, W + "startOverride")
                if raw_start is None:
                    continue
                raw_ilvl = override.get(W + "ilvl")
                ilvl, start = decimal_number(raw_ilvl), decimal_number(raw_start)
                if ilvl is None or start is None:
                    what = (f"w:ilvl={raw_ilvl!r}" if ilvl is None else f"w:startOverride={raw_start!r}")
                    flag("numbering_invalid", f"list {num_id}: w:lvlOverride with {what} (not a number): "
                         "override ignored", key="override")
                    continue
                numbering.overrides.setdefault(num_id, {})[ilvl] = start
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
            return self.written(ref.fmt if ref else "decimal", value)

        return re.sub(r"%(\d)", expand, level.text).strip() or None

    def written(self, fmt: str, value: int) -> str:
        """``value`` in list format ``fmt``; a counter beyond what the format can write
        (:data:`ROMAN_MAX`, :data:`LETTER_MAX`) is written in decimal and reported once
        per format as ``numbering_invalid``."""
        cap = FORMAT_MAX.get(fmt)
        if cap is not None and value > cap:
            self.issues.add("numbering_invalid", f"{fmt} list counter {value} is beyond {cap}: written "
                            "in decimal", key=("format", fmt))
            return str(value)
        return FORMATS.get(fmt, str)(value)


def _numpr_of(num_pr: Any, issues: IssueLog) -> tuple[str, int] | None:
    """(numId, ilvl) of a ``w:numPr`` that has a ``w:numId``. A numId that is not a number
    leaves the paragraph unnumbered, an ilvl that is not a number means level 0 (both
    raised in python-docx's accessors and dropped the source)."""
    raw = num_pr.find(W + "numId").get(W_VAL)
    num = decimal_number(raw)
    if num is None:
        issues.add("numbering_invalid", f"w:numId with w:val={raw!r} (not a number): paragraph read as "
                   "not numbered", key="numId")
        return None
    level = 0
    ilvl = num_pr.find(W + "ilvl")
    if ilvl is not None:
        raw = ilvl.get(W_VAL)
        level = decimal_number(raw)
        if level is None:
            issues.add("numbering_invalid", f"w:ilvl with w:val={raw!r} (not a number): level 0 used",
                       key="ilvl")
            level = 0
    return str(num), level


def paragraph_numpr(paragraph: Any, styles: "StyleTable") -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph (a ``w:p`` element or python-docx ``Paragraph``): its
    own ``numPr``, else its style chain's."""
    p = getattr(paragraph, "_p", paragraph)
    p_pr = p.find(W + "pPr")
    num_pr = p_pr.find(W + "numPr") if p_pr is not None else None
    if num_pr is not None and num_pr.find(W + "numId") is not None:
        return _numpr_of(num_pr, styles.issues)
    return styles.numpr(p)


class StyleTable:
    """Paragraph-style facts resolved once per document (python-docx looks a style up by
    scanning the styles part on every ``paragraph.style``, the reader's main cost).

    Read off the ``w:styles`` element itself rather than python-docx's style objects,
    whose accessors fail on hostile or careless files: a style without ``w:type``
    (``KeyError: None`` in ``StyleFactory``), a ``w:basedOn`` or ``w:pStyle`` without
    ``w:val`` (``InvalidXmlError``), a style id holding a quote (``XPathEvalError`` in
    ``get_by_id``), ``w:default="maybe"``. Semantics are python-docx's for valid files: a
    style without ``w:type`` is a paragraph style (the schema default), a repeated id finds
    the last paragraph style of that id but ``basedOn`` finds the first style of any type.

    A ``basedOn`` chain is walked with each style visited once: ``A → B → A`` or a style
    based on itself looped forever in ``numpr``/``bold``. A cycle ends the walk and is
    reported once as ``style_cycle``."""

    def __init__(self, document: Any, issues: IssueLog | None = None) -> None:
        self.issues = issues if issues is not None else IssueLog()
        try:
            root = document.styles.element
        except Exception as exc:  # noqa: BLE001 - a broken styles part must not sink the document
            self.issues.add("style_invalid", f"styles part unreadable ({type(exc).__name__}): paragraphs "
                            "read without styles")
            root = None
        self._styles: dict[str | None, Any] = {}     # paragraph styles by id, the last wins
        self._by_id: dict[str, Any] = {}             # any style by id, the first wins (basedOn)
        for style in root.findall(W + "style") if root is not None else ():
            style_id = style.get(W + "styleId")
            if style_id is None:
                self.issues.add("style_invalid", "w:style without w:styleId: no paragraph can use it",
                                key="no_id")
            else:
                self._by_id.setdefault(style_id, style)
            if style.get(W + "type", "paragraph") == "paragraph":
                self._styles[style_id] = style
        self._default = next((s for s in self._styles.values() if s.get(W + "default") in ON), None)
        self._numpr: dict[str | None, tuple[str, int] | None] = {}
        self._bold: dict[str | None, bool] = {}

    def _style(self, p: Any) -> tuple[str | None, Any]:
        p_pr = p.find(W + "pPr")
        p_style = p_pr.find(W + "pStyle") if p_pr is not None else None
        style_id = p_style.get(W_VAL) if p_style is not None else None
        return style_id, self._styles.get(style_id, self._default) if style_id else self._default

    def _chain(self, style: Any) -> Iterator[Any]:
        """The style and those it is based on, nearest first, each once."""
        seen: list[Any] = []
        while style is not None:
            if any(style is s for s in seen):
                cycle = seen[next(i for i, s in enumerate(seen) if s is style):] + [style]
                names = " → ".join(str(s.get(W + "styleId")) for s in cycle)
                self.issues.add("style_cycle", f"style basedOn cycle {names}: inheritance stops where the "
                                "chain repeats", key=frozenset(id(s) for s in cycle))
                return
            if len(seen) == MAX_STYLE_DEPTH:
                self.issues.add("style_invalid", f"style basedOn chain longer than {MAX_STYLE_DEPTH} styles "
                                f"(from {seen[0].get(W + 'styleId')}): cut there", key="depth")
                return
            seen.append(style)
            yield style
            based = style.find(W + "basedOn")
            base_id = based.get(W_VAL) if based is not None else None
            style = self._by_id.get(base_id) if base_id is not None else None

    def numpr(self, paragraph: Any) -> tuple[str, int] | None:
        style_id, style = self._style(getattr(paragraph, "_p", paragraph))
        if style_id not in self._numpr:
            found = None
            for link in self._chain(style):
                s_pr = link.find(W + "pPr")
                num_pr = s_pr.find(W + "numPr") if s_pr is not None else None
                if num_pr is not None and num_pr.find(W + "numId") is not None:
                    found = _numpr_of(num_pr, self.issues)
                    break
            self._numpr[style_id] = found
        return self._numpr[style_id]

    def bold(self, paragraph: Any) -> bool:
        style_id, style = self._style(getattr(paragraph, "_p", paragraph))
        if style_id not in self._bold:
            value = False
            for link in self._chain(style):
                r_pr = link.find(W + "rPr")
                b = r_pr.find(W + "b") if r_pr is not None else None
                if b is not None:
                    value = on_off(b)
                    break
            self._bold[style_id] = value
        return self._bold[style_id]
