"""Knowledge checks of a course book: question page + answer page -> one question.

The OCR of a two-column slide interleaves options into the stem, mangles letters and drops
marks, so no single signal is trusted:

* **the pages** are read by :mod:`extract.guide_pages`; **options** by
  :mod:`extract.guide_options` (one per line, or de-interleaved from both readings of a
  two-column page); every text the answer page prints again is merged word by word with
  it (:mod:`extract.readings`), and an option's text is replaced by the answer page's name
  for it where that is the same words read better;
* **the answer** is a vote of three signals (see :func:`resolve_answer`): the stated answer
  (``정답은 B``), correctness marks next to options (``(정답)``), and the complement of
  the labels the ``오답`` section calls wrong; the number of answers comes from
  ``(3개 선택)``. Disagreements are flagged, and every signal is kept in the record.

Every phrase and marker lives in ``data/guide_questions.json``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from extract.answers import choose_phrase, expected_count
from extract.answers import resolve_votes as resolve_answer
from extract.furniture import CleanPage
from extract.guide_matching import read_matching
from extract.guide_options import build_options, label_disagreements
from extract.guide_pages import (
    RULES,
    QuestionPage,
    classify_pages,
    is_option_like,
    read_answer_page,
    read_question_page,
)
from extract.readings import borrow_words, merge_readings
from extract.rules import compiled
from extract.structure import PageStructure
from extract.option_names import better_reading

__all__ = ["GuideQuestion", "build_question", "extract_guide_questions", "resolve_answer"]

#: Minimum fuzzy score for a correctness mark to point at an option.
MARK_MATCH_MIN = 60
#: Characters looked at on either side of a correctness mark.
MARK_WINDOW = 30
#: Knowledge-check pages searched after a question page for its answer page.
ANSWER_SEARCH = 3


@dataclass
class GuideQuestion:
    """A knowledge check read off the pages, before it becomes a corpus record."""

    module: int | None
    module_title: str | None
    topic: str | None
    number: int
    pages: list[int]
    kind: str
    stem: str
    options: list[tuple[str, str]]
    answer: list[str]
    explanation: str | None
    rationales: list[tuple[str, str]] = field(default_factory=list)
    match_targets: list[str] = field(default_factory=list)
    answer_signals: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    translations: dict[str, dict] = field(default_factory=dict)  # a course book has none
    #: how the reading order was restored and the two readings merged (audit only)
    reading_audit: dict | None = None
    images: list[str] = field(default_factory=list)  # pictures are not in an OCR text dump




# ------------------------------------------------------------------ answer resolution
def expected_answer_count(*texts: str) -> int | None:
    """``(3개 선택)`` / ``(Choose two.)`` -> 3 / 2 (the phrases are shared data:
    :func:`extract.answers.expected_count`)."""
    for text in texts:
        if choose_phrase(text):
            return expected_count(text)
    return None


def marked_labels(head: str, options: list[tuple[str, str]]) -> list[str]:
    """Options a correctness mark (``(정답)``) sits next to, by fuzzy match of the text
    beside the mark: after it when there is text there, else before it."""
    found: list[str] = []
    mark = compiled(RULES, "correct_mark")
    texts = [(label, text) for label, text in options if text]
    if not texts:
        return found
    for match in mark.finditer(head):
        # a mark belongs to its own line: look no further than the line's ends
        after = head[match.end(): match.end() + MARK_WINDOW].split("\n")[0]
        before = head[max(0, match.start() - MARK_WINDOW): match.start()].split("\n")[-1]
        after = mark.split(after)[0].strip()
        before = mark.split(before)[-1].strip()
        for window in (after, before):
            if not is_option_like(window):
                continue
            label, score = _best_option(window, texts, from_start=window is after)
            if score >= MARK_MATCH_MIN:
                if label not in found:
                    found.append(label)
                break
    return found


def _best_option(window: str, options: list[tuple[str, str]], from_start: bool) -> tuple[str, float]:
    best = ("", 0.0)
    for label, text in options:
        piece = window[: len(text) + 2] if from_start else window[-(len(text) + 2):]
        score = fuzz.ratio(piece, text)
        if score > best[1]:
            best = (label, score)
    return best


# ------------------------------------------------------------------ assembly
def extract_guide_questions(pages: list[CleanPage], structure: list[PageStructure]) -> list[GuideQuestion]:
    """All knowledge checks of a guide, paired question/answer pages, in page order."""
    found = classify_pages(pages, structure)
    questions = []
    for index, qpage in enumerate(found):
        if qpage.is_answer:
            continue
        apage = next((a for a in found[index + 1: index + 1 + ANSWER_SEARCH]
                      if a.is_answer and a.number == qpage.number
                      and a.structure.module == qpage.structure.module), None)
        questions.append(build_question(qpage, apage))
    return questions


def build_question(qpage: QuestionPage, apage: QuestionPage | None) -> GuideQuestion:
    layout = read_question_page(qpage)
    reading = read_answer_page(apage) if apage else None
    flags: list[str] = [] if apage else ["answer_page_missing"]
    pages = [qpage.page.number] + ([apage.page.number] if apage else [])
    info = qpage.structure
    if layout.matching:
        items, targets, answer, explanation, match_flags = read_matching(layout, apage)
        return GuideQuestion(info.module, info.module_title, info.topic, qpage.number, pages,
                             "matching", layout.stem, items, answer, explanation,
                             match_targets=targets, flags=sorted(set(flags + match_flags)))
    option_reading = build_options(layout, reading)
    options, stem = option_reading.options, option_reading.stem
    merged: list[dict] = []
    for other in option_reading.other_stems:
        stem, choices = merge_readings(stem, other)
        merged += [dict(c.as_dict(), field="stem") for c in choices]
    for index, other in enumerate(option_reading.other_options):
        label, text = options[index]
        text, choices = merge_readings(text, other)
        options[index] = (label, text)
        merged += [dict(c.as_dict(), field=f"options/{index}/text") for c in choices]
    if reading is not None:
        vocabulary = set(reading.section.split())
        stem, choices = borrow_words(stem, vocabulary)
        merged += [dict(c.as_dict(), field="stem", rule="spelled so on the answer page") for c in choices]
        for index, (label, text) in enumerate(options):
            name = better_reading(text, reading.option_names.get(label, []))
            if name:
                merged.append({"field": f"options/{index}/text", "kept": name, "rejected": text,
                               "rule": "the answer page names the option in the same words"})
                text = name
            text, choices = borrow_words(text, vocabulary)
            options[index] = (label, text)
            merged += [dict(c.as_dict(), field=f"options/{index}/text", rule="spelled so on the answer page")
                       for c in choices]
        if reading.explanation_moved:
            merged.append(dict(reading.explanation_moved, field="explanation"))
    flags += option_reading.flags
    relabelled = label_disagreements(options, reading.option_names) if reading else []
    if relabelled:
        flags.append("option_labels_disagree")
    labels = [label for label, _ in options]
    expected = expected_answer_count(layout.stem, apage.first_line if apage else "")
    stated = reading.stated if reading else []
    marked = marked_labels(reading.marks_text, options) if reading else []
    complement = ([label for label in labels if label not in reading.wrong_labels]
                  if reading and reading.wrong_labels else [])
    count = expected or max(1, reading.stated_count if reading else 1)
    answer, answer_flags = resolve_answer(stated, marked, complement, count, labels)
    flags += answer_flags
    if reading and not reading.explanation:
        flags.append("explanation_missing")
    if len(options) < 2:
        flags.append("options_missing")
    return GuideQuestion(
        info.module, info.module_title, info.topic, qpage.number, pages,
        "multi" if count > 1 else "single", stem, options, answer,
        reading.explanation if reading else None,
        rationales=reading.rationales if reading else [],
        answer_signals={"stated": stated, "marked": marked, "complement": complement,
                        **({"rationale_labels": relabelled} if relabelled else {})},
        flags=sorted(set(flags)),
        reading_audit=_reading_audit(option_reading.audit, merged),
    )


def _reading_audit(deinterleaved: dict | None, merged: list[dict]) -> dict | None:
    """What the reading-order and two-reading steps did to a question, for the audit."""
    if not deinterleaved and not merged:
        return None
    audit: dict = {}
    if deinterleaved:
        audit["two_column"] = deinterleaved
    if merged:
        audit["readings_merged"] = merged
    return audit

