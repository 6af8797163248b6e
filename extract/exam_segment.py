"""Segmentation of a question file: where questions begin.

Per document (its items, :mod:`extract.exam_items`; answer-key lines left out), the
question-start rule that explains it is chosen instead of trying rules in a fixed
order: every rule of the grammar proposes the lines it matches, each rule's
candidates are chained along the longest consistent increasing sequence (steps of one
score most; gaps, a duplicate and restarts of a sectioned bank score less), and the best
chain wins — joined by other rules' chains that explain other parts of the document
(``1F:`` … ``5F:`` then ``Aufgabe 6`` …). A bare number must also be followed by
something a question has (options, an answer) before the next of its kind, so the
``1.``–``4.`` of an option list never start questions. Files without numbers (Aiken,
stems followed by Word lists) are cut at their option runs instead.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from extract.exam_grammar import Grammar, Start
from extract.exam_items import Item, is_gift
from extract.exam_keys import AnswerKey
from ingest.document import Mark

#: How far back (in candidates) a chain looks for its previous member: keeps the chain
#: search linear in the size of the document.
CHAIN_WINDOW = 40
#: Gains of a chain step: the next number, a small gap, a restart at 1 (a new section),
#: a repeated number (a dump's duplicate), anything else a strong rule meets.
STEP_NEXT, STEP_GAP, STEP_RESTART, STEP_REPEAT, STEP_OTHER = 1.0, 0.5, 0.75, 0.25, 0.1
#: The largest gap that still continues a numbering.
MAX_GAP = 6
#: A restart needs a section this long before it.
RESTART_AFTER = 3
#: A chain of bare numbers must score this much to number a document (one header with a
#: word, ``Question #1``, is enough).
MIN_CHAIN = 1.0
#: Lines looked at after the last candidate of a rule for something question-like.
TAIL_LOOKAHEAD = 40
_DECIMAL_LABEL = re.compile(r"^[(（]?(\d{1,4})[.)）:]?$")


@dataclass
class Block:
    """The items of one question, with its printed number (None: unnumbered) and the
    text after its label on the first line."""

    number: int | None
    items: list[Item] = field(default_factory=list)
    rest: str = ""
    rule: str | None = None


# -- question starts --------------------------------------------------------------------

def _question_like(item: Item, g: Grammar) -> bool:
    return bool(item.option or item.answer or is_gift(item, g)
                or g.inline_answer.search(item.text))


def candidates(items: list[Item], g: Grammar, skip: set[int] = frozenset()) -> dict[str, list[Start]]:
    """Question-start candidates by rule; Word-numbered paragraphs with a decimal label
    are candidates of their list (``list:<id>``). Answer-key lines (``skip``) are none."""
    found: dict[str, list[Start]] = defaultdict(list)
    for index, item in enumerate(items):
        if index in skip:
            continue
        label = item.line.label
        if label:
            match = _DECIMAL_LABEL.match(label)
            if match and not (item.line.level or 0):
                found[f"list:{item.line.list_id}"].append(
                    Start(index, f"list:{item.line.list_id}", int(match.group(1)), item.text, False))
            continue
        for start in g.starts_of(index, item.raw):
            found[start.rule].append(start)
    return found


def _supported(starts: list[Start], items: list[Item], g: Grammar) -> list[Start]:
    """Candidates followed, before the next question's number, by an option or an answer
    (a question has them; the items of a numbered option list do not, nor a sentence of
    an explanation that begins ``Question 5 …``). Titled headers need nothing after."""
    kept = []
    for k, start in enumerate(starts):
        if start.titled or any(_question_like(items[i], g) for i in range(start.index + 1, _next_question(starts, k, items))):
            kept.append(start)
    return kept


def _next_question(starts: list[Start], k: int, items: list[Item]) -> int:
    """Where the question begun by candidate ``k`` would end: at the next candidate
    numbered one more (a list inside the stem, ``1.`` ``2.`` ``3.``, does not end it), else
    at the next with a higher number, else a few lines on."""
    number = starts[k].number
    later = starts[k + 1: k + 1 + CHAIN_WINDOW]
    for candidate in later:
        if candidate.number == number + 1:
            return candidate.index
    higher = next((c.index for c in later if c.number > number), None)
    return higher if higher is not None else min(len(items), starts[k].index + TAIL_LOOKAHEAD)


def _step(previous: int, number: int, strong: bool) -> float | None:
    if number == previous + 1:
        return STEP_NEXT
    if previous < number <= previous + MAX_GAP:
        return STEP_GAP
    if number == 1 and previous >= RESTART_AFTER:
        return STEP_RESTART
    if strong:
        return STEP_REPEAT if number == previous else STEP_OTHER
    return None


def chain(starts: list[Start]) -> tuple[float, list[Start]]:
    """The best-scoring increasing sequence of candidates (see the module docstring)."""
    if not starts:
        return 0.0, []
    score = [1.0 if s.number == 1 else 0.5 for s in starts]
    back = [-1] * len(starts)
    for i, start in enumerate(starts):
        for j in range(max(0, i - CHAIN_WINDOW), i):
            gain = _step(starts[j].number, start.number, start.strong)
            if gain is not None and score[j] + gain > score[i]:
                score[i], back[i] = score[j] + gain, j
    best = max(range(len(starts)), key=lambda i: (score[i], -i))
    members = []
    i = best
    while i >= 0:
        members.append(starts[i])
        i = back[i]
    return score[best], members[::-1]


def choose_starts(items: list[Item], g: Grammar, key: AnswerKey) -> tuple[dict[int, Start], list[str]]:
    """Item index → :class:`Start` of every question, and the rules that explain them
    (the best chain, then chains of other rules over parts of the document it leaves)."""
    chains = []
    for rule, starts in candidates(items, g, key.items).items():
        score, members = chain(_supported(starts, items, g))
        if members and (score >= MIN_CHAIN or members[0].strong):
            chains.append((score, rule, members))
    # a word before the number (Question 3, Aufgabe 3) is better evidence than a bare
    # number: strong chains win ties
    chains.sort(key=lambda c: (-c[0], not c[2][0].strong, c[1]))
    chosen: dict[int, Start] = {}
    spans: list[tuple[int, int]] = []
    rules = []
    for score, rule, members in chains:
        span = (members[0].index, members[-1].index)
        if any(span[0] <= b and a <= span[1] for a, b in spans):
            continue
        if any(m.index in chosen for m in members):
            continue
        spans.append(span)
        rules.append(rule)
        chosen.update({m.index: m for m in members})
    return chosen, rules


# -- blocks -----------------------------------------------------------------------------

def numbered_blocks(items: list[Item], starts: dict[int, Start], key: AnswerKey) -> list[Block]:
    blocks: list[Block] = []
    for index, item in enumerate(items):
        if index in starts:
            blocks.append(Block(starts[index].number, [], starts[index].rest, starts[index].rule))
        elif blocks and index not in key.items:
            blocks[-1].items.append(item)
    return blocks


def option_runs(items: list[Item], g: Grammar, skip: set[int]) -> list[tuple[int, int]]:
    """(first, last) item index of every run of options: one style, positions from the
    first (A / 1 / ① or an unlabelled bullet) each the next, nothing between them."""
    runs: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    style, position = None, -1
    gift_end = -1
    for index, item in enumerate(items):
        if index <= gift_end:
            continue
        if g.gift_open.match(item.text):  # {~… =…}: one run to its closing brace
            if current is not None:
                runs.append(current)
                current = None
            gift_end = next((j for j in range(index, min(len(items), index + TAIL_LOOKAHEAD))
                             if g.gift_close.search(items[j].text)), index)
            runs.append((index, gift_end))
            continue
        mark = None if index in skip else item.option
        if mark is not None and current is not None and mark.style == style and (
                mark.position == -1 or mark.position == position + 1):
            current = (current[0], index)
            position = mark.position if mark.position >= 0 else position + 1
            continue
        if current is not None:
            runs.append(current)
            current = None
        if mark is not None and mark.position in (0, -1):
            current, style, position = (index, index), mark.style, 0
    if current is not None:
        runs.append(current)
    return [run for run in runs if run[1] > run[0] or g.gift_open.match(items[run[0]].text)]


def unnumbered_blocks(items: list[Item], g: Grammar, key: AnswerKey) -> list[Block]:
    """Questions without numbers: each run of options with the stem lines before it
    (after the previous question's options, its answer line and explanation)."""
    blocks: list[Block] = []
    previous_end = -1
    runs = option_runs(items, g, key.items)
    for k, (first, last) in enumerate(runs):
        end = last
        limit = runs[k + 1][0] if k + 1 < len(runs) else len(items)
        # the answer line and a labelled explanation after the options are this question's
        while end + 1 < limit and (items[end + 1].answer or g.explanation_start.match(items[end + 1].text)
                                   or (end + 1 in key.items)):
            end += 1
        start = previous_end + 1
        stem = _without_headings([i for i in range(start, first) if i not in key.items], items)
        blocks.append(Block(None, [items[i] for i in stem + list(range(first, end + 1)) if i not in key.items]))
        previous_end = end
    return blocks


#: A line this short, without a sentence's end, before more stem lines is a heading.
HEADING_MAX_CHARS = 40
_SENTENCE_END = re.compile(r"[.?!:;。？！：；…)]$")


def _without_headings(stem: list[int], items: list[Item]) -> list[int]:
    """An unnumbered stem runs from the previous question's end to its options, so a
    document title or section heading before it (``Practice Test 1``, ``Part 2``) would
    join it: leading lines marked as headings (or bold when the stem's last line is not),
    or short lines without a sentence's end, are not stem."""
    while len(stem) > 1:
        line, last = items[stem[0]].line, items[stem[-1]].line
        marks = line.marks - last.marks
        text = items[stem[0]].text
        if (Mark.HEADING in marks or Mark.BOLD in marks
                or (len(text) <= HEADING_MAX_CHARS and not _SENTENCE_END.search(text))):
            stem = stem[1:]
            continue
        break
    return stem
