"""Options of a knowledge check, on a plain page (one per line) or a two-column one.

On a plain page the option lines are the options; the answer page prints them again,
for a word-by-word merge (:mod:`extract.readings`). On a two-column page the OCR read the
options into the stem (``options_interleaved``): their number comes from the labels the
answer page uses, and the texts from both readings of the page
(:func:`extract.two_column.deinterleave`), the lines after the stem, and the names the
answer page gives each label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.answers import choose_phrase
from extract.guide_pages import (
    LABELS,
    RULES,
    AnswerReading,
    QuestionLayout,
    is_option_like,
    rules,
    strip_column_headers,
)
from extract.rules import compiled
from extract.option_names import name_similarity
from extract.two_column import HEADER, deinterleave


def option_count_from_labels(labels: set[str]) -> int:
    """Largest L such that the labels up to L miss at most one letter (OCR drops or
    mangles one label now and then: ``F (오답)`` for B)."""
    best = 0
    for size in range(2, len(LABELS) + 1):
        present = sum(1 for letter in LABELS[:size] if letter in labels)
        if LABELS[size - 1] in labels and present >= size - 1:
            best = size
    return best




def build_options(layout: QuestionLayout, reading: AnswerReading | None) -> OptionReading:
    """Options in order A, B, C…, the stem, and flags about how they were recovered."""
    label_count = option_count_from_labels(reading.labels_seen) if reading else 0
    lines = [_strip_icon_debris(line) for line in layout.option_lines]
    interleaved = bool(layout.trailing) or (label_count and len(lines) < label_count - 1)
    if not interleaved:
        while label_count and len(lines) > label_count and len(lines[0]) <= 4:
            lines.pop(0)  # a column header such as "용팀" above the options
        options = [(LABELS[i], text) for i, text in enumerate(lines[: len(LABELS)])]
        if reading is None:
            return OptionReading(options, layout.stem, [])
        again = answer_page_option_lines(reading, len(options))
        return OptionReading(options, layout.stem, [], other_stems=[answer_page_stem(reading)],
                             other_options=again)
    count = max(label_count, len(lines) + (1 if layout.trailing else 0))
    flags = ["options_interleaved"]
    highest_stated = max((LABELS.index(x) + 1 for x in (reading.stated if reading else [])), default=0)
    if count < max(2, highest_stated):
        # labels too garbled to count: assume the usual number of options
        count = max(rules()["default_option_count"], highest_stated)
        flags.append("option_count_uncertain")
    count = min(count, len(LABELS))
    in_stream = LABELS[: max(0, count - len(lines))]
    line_options = lines[-(count - len(in_stream)):] if count > len(in_stream) else []
    stream, choose = _without_choose_phrase(layout.stream)
    readings = {"question": (stream.split(), None)}
    if reading is not None:
        readings["answer"] = answer_stream(reading)
    stated = reading.stated if reading and len(reading.stated) == 1 else []
    result = deinterleave(readings, list(in_stream),
                          reading.option_names if reading else {}, stated[0] if stated else None)
    options = result.options + [(LABELS[len(in_stream) + i], text)
                                for i, text in enumerate(line_options)]
    missing = [label for label, text in options if not text]
    if missing:
        flags.append("option_text_missing")
    if result.uncertain:
        flags.append("text_uncertain")
    stem = f"{result.stem} {choose}".strip() if choose else result.stem
    others = [f"{other} {choose}".strip() for other in result.other_stems]
    return OptionReading(options, stem, flags, result.audit, others)


@dataclass
class OptionReading:
    """The options and stem of a question page, with what the answer page reads again."""

    options: list[tuple[str, str]]
    stem: str
    flags: list[str]
    audit: dict | None = None
    other_stems: list[str] = field(default_factory=list)
    #: the answer page's reading of each option line (plain layout), "" where it has none
    other_options: list[str] = field(default_factory=list)


def answer_page_stem(reading: AnswerReading) -> str:
    """The stem as the answer page prints it again: its first line up to the ``?``."""
    first = strip_column_headers(reading.head_lines[0]) if reading.head_lines else ""
    first = compiled(RULES, "correct_mark").sub(" ", first)
    stem, _choose = _without_choose_phrase(first)
    end = max(stem.rfind("?"), stem.rfind("？"))
    return stem[: end + 1].strip() if end >= 0 else ""


def answer_page_option_lines(reading: AnswerReading, count: int) -> list[str]:
    """The answer page's one-per-line options, marks removed, when it has ``count``."""
    lines = [compiled(RULES, "correct_mark").sub(" ", strip_column_headers(line)).strip()
             for line in reading.head_lines[1:]]
    lines = [line for line in lines if is_option_like(line)]
    while len(lines) > count and len(lines[0]) <= 4:
        lines.pop(0)
    return lines if len(lines) == count else []


def _without_choose_phrase(text: str) -> tuple[str, str]:
    """``… 무엇입니까? (3개 선택) 체스 두기`` -> the text without ``(3개 선택)``, and it."""
    choose = choose_phrase(text)
    if not choose:
        return text, ""
    return re.sub(r"\s+", " ", text[: choose.start()] + " " + text[choose.end():]).strip(), choose.group()


def answer_stream(reading: AnswerReading) -> tuple[list[str], int | None]:
    """The answer page's reading of a two-column question, without its correctness mark,
    and the token the mark stood before (the correct option's first word)."""
    heads = [strip_column_headers(line, HEADER) for line in reading.head_lines]
    stem_end = compiled(RULES, "stem_end")
    text = " ".join(heads[:1] + [line for line in heads[1:] if stem_end.search(line)])
    text, _choose = _without_choose_phrase(text)
    text = compiled(RULES, "correct_mark").sub(f" {_MARK} ", text)
    tokens: list[str] = []
    mark_at = None
    for token in text.split():
        if token == _MARK or compiled(RULES, "bare_mark").match(token):
            mark_at = len(tokens)
        elif not re.fullmatch(r"[|:;]+", token):
            tokens.append(token)
    return tokens, mark_at


_MARK = "\x02"


def _strip_icon_debris(line: str) -> str:
    """``정구회 적용 CO:`` -> ``정구회 적용``: an option never ends in a short token with a
    colon (the OCR of the slide's wrong-answer icon)."""
    return re.sub(r"(?:\s+\S{1,3}[:;])+$", "", line).strip()


#: A rationale's name points at another option than its label when it matches that one
#: this well, and this much better than the option its label names.
LABEL_POINTS_MIN = 0.75
LABEL_POINTS_MARGIN = 0.25


def label_disagreements(options: list[tuple[str, str]], names: dict[str, list[str]]) -> list[str]:
    """``A=C`` where the answer page's text for label A names the page's option C.

    Options keep the page's order and labels; a rationale that calls the page's C "A"
    is a doubt kept in ``answer_signals`` (``rationale_labels``), not a reordering.
    """
    texts = [text for _label, text in options]
    found = []
    for label, candidates in sorted(names.items()):
        own = LABELS.index(label) if label in LABELS else len(texts)
        if own >= len(texts) or not texts[own]:
            continue
        scores = [max(name_similarity(text, name) for name in candidates) if text else 0.0
                  for text in texts]
        best = max(range(len(texts)), key=lambda i: scores[i])
        if (best != own and scores[best] >= LABEL_POINTS_MIN
                and scores[best] - scores[own] >= LABEL_POINTS_MARGIN):
            found.append(f"{label}={options[best][0]}")
    return found
