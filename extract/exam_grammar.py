"""The question-file grammar as typed tables, compiled once from ``data/exam_dump.json``.

Every pattern lives in the data file; this module turns its rows into small typed rules
(:class:`StartRule`, :class:`OptionRule`) and answers the questions the segmenter and the
assembler ask of one line: does it start a question (by which rule, with which number),
is it an option (which style, which position), does it state an answer (which value).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extract.rules import load_rules

RULES = "exam_dump"
#: String entries of the rule file that are character sets, not patterns.
_NOT_PATTERNS = ("circled_open", "circled_filled", "hangul_space_after")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class StartRule:
    """A question-start row: ``strong`` rules carry a word (``Question``, ``第…题``)."""

    name: str
    strong: bool
    pattern: re.Pattern[str]
    #: the text after the number is a title, not the stem
    titled: bool = False


@dataclass(frozen=True)
class OptionRule:
    """An option-label row; ``kind`` says how a label maps to a position."""

    name: str
    kind: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Start:
    """A line that may begin a question: by ``rule`` (or ``list:<id>`` for Word numbering)."""

    index: int
    rule: str
    number: int
    rest: str
    strong: bool
    #: a header whose text after the number is a title (``Question #7``): a question
    #: even when only its answer follows (notes repeat the header to give the answer)
    titled: bool = False


@dataclass(frozen=True)
class OptionMark:
    """A line read as an option: its style, 0-based position, text, and whether the
    label itself marks it correct (a filled circled digit, ``[CORRECT]``)."""

    style: str
    position: int
    text: str
    marked: bool = False


class Grammar:
    """The compiled tables (one instance per process, :func:`grammar`)."""

    def __init__(self, rules: dict[str, Any]) -> None:
        flags = re.IGNORECASE
        self.raw = rules
        self.starts = [StartRule(name, strength != "weak", re.compile(p, flags), strength == "header")
                       for name, strength, p in rules["question_starts"]]
        self.options = [OptionRule(name, kind, re.compile(p)) for name, kind, p in rules["option_styles"]]
        for key, value in rules.items():
            if isinstance(value, str) and not key.startswith("_") and key not in _NOT_PATTERNS:
                setattr(self, key, re.compile(value, flags))
        self.chrome = re.compile("|".join(f"(?:{p})" for p in rules["chrome"]), flags)
        self.table_headers = {k: re.compile(v, flags) for k, v in rules["table_headers"].items()}
        self.circled_open = rules["circled_open"]
        self.circled_filled = rules["circled_filled"]
        self._circled_any = re.compile(f"[{re.escape(self.circled_open + self.circled_filled)}]")
        self.checkbox_correct = {s.lower() for s in rules["checkbox_correct"]}
        self.label_series = rules["label_series"]
        self.hangul_space_after = frozenset(rules["hangul_space_after"])
        self.answer_text_min_ratio = rules["answer_text_min_ratio"]
        self.inline_option_min = rules["inline_option_min"]
        self.ocr_label_lookalikes = rules["ocr_label_lookalikes"]
        unique: dict[str, str] = {}
        for letter, shapes in rules["ocr_label_lookalikes"].items():
            for shape in shapes:
                unique[shape] = letter if shape not in unique else ""
        self.ocr_letter_of = {shape: letter for shape, letter in unique.items() if letter}

    # -- question starts -------------------------------------------------------------

    def starts_of(self, index: int, raw: str) -> list[Start]:
        """Every question-start reading of one line (a line may fit several rules)."""
        original = raw.strip()
        if original[:1] in "#*_":
            original = self.markup_prefix.sub("", original).strip()
        text = _half_width(original)  # one to one: offsets hold in both
        found = []
        for rule in self.starts:
            tab = rule.name == "tab"
            match = rule.pattern.match(raw.lstrip() if tab else text)
            if match:
                rest = match.group(2) if tab else original[match.start(2):match.end(2)]
                rest = "" if rule.titled else self.question_type_words.sub("", rest.strip()).strip()
                found.append(Start(index, rule.name, int(match.group(1)), rest, rule.strong, rule.titled))
        return found

    # -- options ----------------------------------------------------------------------

    def option_of(self, text: str) -> OptionMark | None:
        """The option reading of a line, or None. Letters and numbers give positions from
        0 (``C.`` → 2, ``3)`` → 2, ``③`` / ``❸`` → 2); a checkbox line has no position of
        its own (-1: the next in its run). A star glued before the label (``*B.``) or a
        check mark after the text (``✓``, ``(correct)``) marks the option right."""
        original, text = text, _half_width(text)  # one to one: offsets hold in both
        starred = text[:1] == "*" and bool(self.option_correct_prefix.match(text))
        if starred:
            original, text = original[1:], text[1:]
        for rule in self.options:
            match = rule.pattern.match(text)
            if not match:
                continue
            label, body = match.group(1), original[match.start(2):match.end(2)].strip()
            body, checked = self.strip_correct_mark(body)
            marked = starred or checked
            if rule.kind in ("upper", "lower"):
                return OptionMark(rule.name, LETTERS.index(label.upper()), body, marked)
            if rule.kind.startswith("series:"):
                return OptionMark(rule.name, self.label_series[rule.kind[7:]].index(label), body, marked)
            if rule.kind == "number":
                return OptionMark(rule.name, int(label) - 1, body, marked)
            if rule.kind == "circled":
                filled = label in self.circled_filled
                series = self.circled_filled if filled else self.circled_open
                return OptionMark(rule.name, series.index(label) % 10, body, marked or filled)
            return OptionMark(rule.name, -1, body, marked or label.strip().lower() in self.checkbox_correct)
        return None

    def strip_correct_mark(self, body: str) -> tuple[str, bool]:
        """An option's text without a trailing check mark / ``(correct)``, and whether it had one."""
        if body[-1:] in "✓✔✅)" and (suffix := self.option_correct_suffix.search(body)):
            return body[: suffix.start()].rstrip(), True
        return body, False

    def split_options(self, text: str) -> list[str] | None:
        """Pieces of a line that holds several options side by side (``① 4m\\t② 6m``,
        ``A. yes    B. no``), or None when it is not such a line: every piece must be an
        option of one style, each the next position."""
        if "\t" not in text and "  " not in text and len(self._circled_any.findall(text)) < 2:
            return self._run_together(text)  # the cheap test settles most lines
        pieces = [p.strip() for p in self.option_separator.split(text) if p.strip()]
        if len(pieces) < 2:
            return None
        marks = [self.option_of(p) for p in pieces]
        if any(m is None for m in marks) or len({m.style for m in marks}) != 1:
            return None
        positions = [m.position for m in marks]
        if positions[0] >= 0 and positions != list(range(positions[0], positions[0] + len(pieces))):
            return None
        return pieces

    def _run_together(self, text: str) -> list[str] | None:
        """``A. 1955 B. 1956 C. 1957`` split at its labels (see ``inline_option_label``)."""
        if len(text) < 8 or text[:1] not in "ABCDEFGHabcdefgh(（":
            return None
        cuts = []
        for match in self.inline_option_label.finditer(text):
            label = (match.group(1) or match.group(2)).upper()
            if label == LETTERS[len(cuts)]:
                cuts.append(match.start())
        if len(cuts) < self.inline_option_min or cuts[0] != 0:
            return None
        pieces = [text[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(text)])]
        marks = [self.option_of(p) for p in pieces]
        if any(m is None or m.style != marks[0].style for m in marks):
            return None
        return pieces

    # -- answers ----------------------------------------------------------------------

    def answer_value(self, text: str) -> str | None:
        """The value of an answer line (``Answer: B`` → ``B``), or None."""
        match = self.answer_line.match(text)
        return match.group(1).strip() if match else None

    def parse_answer(self, value: str) -> tuple[list[int], str]:
        """(0-based positions, trailing text) of an answer value, or ([], value) when the
        value is not a label (an option's text, or an open answer)."""
        value = self.answer_value_prefix.sub("", _half_width(value.strip()), count=1)
        if m := self.answer_circled.match(value):
            return sorted({self._circled_position(c) for c in m.group(1) if not c.isspace() and c not in ",，、"}), ""
        if m := self.answer_compact.match(value):
            return sorted({LETTERS.index(c) for c in m.group(1).upper()}), ""
        if m := self.answer_letters.match(value):
            letters = re.findall(r"(?<![A-Za-z])[A-Ha-h](?![A-Za-z])", m.group(1))
            rest = (m.group(2) or m.group(3) or "").strip()
            return sorted({LETTERS.index(c.upper()) for c in letters}), rest
        if m := self.answer_numbers.match(value):
            return sorted({int(d) - 1 for d in re.findall(r"[1-9]", m.group(1))}), ""
        bare = value.strip("()（）[]【】 ")
        if bare != value and (m := self.answer_compact.match(bare)):  # (BC)
            return sorted({LETTERS.index(c) for c in m.group(1).upper()}), ""
        tokens = [t for t in re.split(r"[\s,，、;/]+", value.strip("()（）[]. 。")) if t]
        for series in self.label_series.values():  # Ответ: б / 正解：イ / БВ
            if tokens and all(c in series for t in tokens for c in t):
                return sorted({series.index(c) for t in tokens for c in t}), ""
        return [], value

    def _circled_position(self, char: str) -> int:
        series = self.circled_filled if char in self.circled_filled else self.circled_open
        return series.index(char) % 10

    def key_token(self, token: str) -> list[int]:
        """Positions named by one answer-key token (``B``, ``③``, ``2``, ``A,C``)."""
        positions, rest = self.parse_answer(token)
        return [] if rest else positions

    def is_chrome(self, text: str) -> bool:
        return bool(self.chrome.search(text))


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    return Grammar(dict(load_rules(RULES)))


#: Full-width ASCII (``Ａ``, ``１）``, ideographic space) as its half-width form; the
#: full-width full stop stays (``Ａ．9`` is a label and an option's text, never a decimal).
_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if code != 0xFF0E} | {0x3000: 0x20}
#: How many leading characters a label can span: only they are made half-width, so the
#: text after the label keeps its own characters (one to one: offsets do not move).
LABEL_SPAN = 8


def _half_width(text: str) -> str:
    """Japanese and Chinese files type labels in full width (``Ａ．東京``, ``問１``): the
    label part of a line is read as half-width; the rest is left as written."""
    head = text[:LABEL_SPAN]
    if head.isascii():
        return text
    return head.translate(_HALF) + text[LABEL_SPAN:]


def letter(position: int) -> str:
    return LETTERS[position] if 0 <= position < len(LETTERS) else "?"
