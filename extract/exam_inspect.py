"""Why a file reads as it does: what the question grammar saw, line by line.

Two users: ``qbank inspect FILE`` prints every line as the reader gave it (page, marks,
list label, table cell) with the rules that matched it; and the build, which must never
return a silent zero — a source that gives no questions but looks like it holds some
gets a warning saying what was seen and what was missing (:func:`diagnose`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from extract.exam_grammar import grammar, letter
from extract.exam_questions import Layout, read_exam
from extract.exam_items import Item, is_gift
from extract.exam_segment import candidates
from ingest.document import Document

#: A source holds questions-like text when it has this many lines of a kind.
SEEN_MIN = 3


@dataclass(frozen=True)
class Seen:
    """Counts of question-like lines in a source."""

    numbered: int
    options: int
    answers: int

    def describe(self) -> str:
        parts = [f"{self.numbered} numbered lines", f"{self.options} option-like lines",
                 f"{self.answers} answer lines"]
        return ", ".join(parts)


def seen(items: list[Item]) -> Seen:
    g = grammar()
    numbered = {s.index for starts in candidates(items, g).values() for s in starts}
    options = sum(1 for index, item in enumerate(items)
                  if index not in numbered and (item.option or is_gift(item, g)))
    answers = sum(1 for item in items if item.answer or g.inline_answer.search(item.text))
    return Seen(len(numbered), options, answers)


def diagnose(questions: int, answered: int, items: list[Item], prose: bool = False) -> str | None:
    """A one-line warning when a source gives no questions (or none with an answer) but
    its lines look like questions; None when there is nothing to say. In ``prose``
    (articles, notes: numbered lists are common there) only answer lines next to
    option-like lines count as a sign of questions."""
    counts = seen(items)
    if prose and (counts.answers < SEEN_MIN or counts.options < SEEN_MIN):
        return None
    kinds = sum(n >= SEEN_MIN for n in (counts.numbered, counts.options, counts.answers))
    if questions == 0 and kinds >= 1 and (counts.options >= SEEN_MIN or kinds >= 2):
        return f"no questions found, but saw {counts.describe()}"
    if questions and answered == 0:
        missing = "no answers found" if counts.answers == 0 else "answer lines matched no question"
        return f"{questions} questions but {missing} ({counts.describe()})"
    return None


def inspect_lines(document: Document) -> Iterator[str]:
    """The report ``qbank inspect`` prints: the chosen rules, then one row per line."""
    g = grammar()
    questions, layout = read_exam(document)
    yield f"# {document.path}: {document.format}, {len(document.pages)} pages, {len(layout.items)} lines"
    if layout.numbered:
        yield f"# questions start by rule(s): {', '.join(layout.rules)} ({len(layout.starts)} starts)"
    else:
        yield "# no numbering explains the file: questions cut at option runs"
    if layout.key.answers:
        yield f"# answer key: {len(layout.key.answers)} entries"
    answered = sum(1 for q in questions if q.answer)
    yield f"# {len(questions)} questions, {answered} with an answer"
    warning = diagnose(len(questions), answered, layout.items)
    if warning:
        yield f"# warning: {warning}"
    yield "# page:line  marks  label  cell  | rules | text"
    for index, item in enumerate(layout.items):
        yield _row(index, item, layout, g)


def _row(index: int, item: Item, layout: Layout, g) -> str:
    rules = []
    start = layout.starts.get(index)
    if start is not None:
        rules.append(f"START {start.rule} #{start.number}")
    else:
        rules.extend(f"start? {s.rule} #{s.number}" for s in g.starts_of(index, item.raw))
    mark = item.option
    if mark is not None:
        position = letter(mark.position) if mark.position >= 0 else "next"
        rules.append(f"option {mark.style} {position}" + (" marked" if mark.marked else ""))
    if is_gift(item, g):
        rules.append("gift")
    if (value := item.answer) is not None:
        rules.append(f"answer {value!r}")
    if g.inline_answer.search(item.text):
        rules.append("inline answer")
    if index in layout.key.items:
        rules.append("answer key")
    if g.explanation_start.match(item.text):
        rules.append("explanation")
    line = item.line
    marks = ",".join(sorted(str(m) for m in line.marks)) or "-"
    cell = f"t{line.cell[0]}r{line.cell[1]}" if line.cell else "-"
    text = item.text if len(item.text) <= 100 else item.text[:97] + "..."
    return f"p{item.page}:{line.source_line}  {marks}  {line.label or '-'}  {cell}  | {'; '.join(rules) or '-'} | {text}"
