"""Segmentation of a question file: where questions begin, where an answer key is.

The reader's lines are flattened into :class:`Item` s (page furniture skipped, several
options on one line split, two-cell table rows read as ``label: text``). Then, per
document, the question-start rule that explains it is chosen instead of trying rules in
a fixed order: every rule of the grammar proposes the lines it matches, each rule's
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
from dataclasses import dataclass, field, replace

from extract.exam_grammar import Grammar, OptionMark, Start, letter
from extract.normalize import fix_mojibake
from ingest.document import Document, Line, Mark

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
MIN_CHAIN = 2.0
#: Lines looked at after the last candidate of a rule for something question-like.
TAIL_LOOKAHEAD = 40
#: Reader marks of text that OCR read (scanned pages, pictures): look-alikes apply there.
OCR_MARKS = frozenset({Mark.OCR, Mark.IMAGE_TEXT})
_DECIMAL_LABEL = re.compile(r"^[(（]?(\d{1,4})[.)）:]?$")
_BARE_LABEL = re.compile(r"^[(（]?([A-Ha-h1-9①-⑩❶-❿])[.)）:]?$")


@dataclass(frozen=True)
class Item:
    """One line as the segmenter sees it: ``text`` stripped (a Word list label is in
    ``line.label``, never in ``text``), ``raw`` as the reader gave it (a leading tab
    matters), ``page`` where it is."""

    page: int
    line: Line
    text: str
    raw: str
    #: the option reading of the line and the value of an answer line, read once
    option: OptionMark | None = None
    answer: str | None = None


def make_item(page: int, line: Line, text: str, raw: str, g: Grammar) -> Item:
    return Item(page, line, text, raw, _read_option(line, text, g), g.answer_value(text))


@dataclass
class AnswerKey:
    """Answers (and their explanations) given apart from the questions, usually at the
    end: positions by question number, and where each entry was (item index)."""

    answers: dict[int, list[int]] = field(default_factory=dict)
    explanations: dict[int, list[str]] = field(default_factory=dict)
    items: set[int] = field(default_factory=set)


@dataclass
class Block:
    """The items of one question, with its printed number (None: unnumbered) and the
    text after its label on the first line."""

    number: int | None
    items: list[Item] = field(default_factory=list)
    rest: str = ""
    rule: str | None = None


def flatten(document: Document, g: Grammar) -> list[Item]:
    """Lines of every page in order, as :class:`Item` s; furniture is left out."""
    items: list[Item] = []
    for page in document.pages:
        for line in page.lines:
            if Mark.FURNITURE in line.marks:
                continue
            raw = fix_mojibake(line.text)
            if line.cell is not None and not line.label:
                raw = _two_cell_row(raw)
            text = raw.strip()
            if not text and not line.label:
                continue
            if items and line.marks & OCR_MARKS:
                text = raw = _ocr_option_label(text, items[-1], g)
            pieces = None if line.label else g.split_options(text) or _inline_gift(text, g)
            if pieces:
                items.extend(make_item(page.number, replace(line, text=p), p, p, g) for p in pieces)
            else:
                keep = line.cell is not None or text == line.text  # a row keeps its empty cells
                items.append(make_item(page.number, line if keep else replace(line, text=text), text, raw, g))
    return items


def _inline_gift(text: str, g: Grammar) -> list[str] | None:
    """``Stem? {~a =b}`` as the stem and its GIFT options."""
    match = g.gift_inline.match(text) if "{" in text else None
    return [match.group(1), match.group(2)] if match else None


def _ocr_option_label(text: str, previous: Item, g: Grammar) -> str:
    """On an OCR'd line right after an option, a label that is not the next letter but
    looks like it (``8)`` after ``A)``) is that letter: the text is given the label it
    stands for."""
    before = option_mark(previous, g)
    if before is None or before.position < 0 or before.style not in ("upper", "paren_upper"):
        return text
    expected = letter(before.position + 1)
    mark = g.option_of(text)
    if mark is not None and mark.style == before.style and mark.position == before.position + 1:
        return text
    found = g.ocr_marker.match(text)
    if found and found.group(1) in g.ocr_label_lookalikes.get(expected, ()):
        return f"{expected}) {found.group(2).strip()}"
    return text


def _two_cell_row(text: str) -> str:
    """A two-cell table row read as the line it stands for: ``A | option`` → ``A. option``,
    ``Answer | B`` → ``Answer: B``, ``Question 3 | stem`` → ``Question 3: stem``."""
    cells = text.split("\t")
    if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
        return text
    head, body = cells[0].strip(), cells[1].strip()
    if _BARE_LABEL.match(head):
        return f"{head.rstrip('.):）')}. {body}"
    if len(head) <= 30 and not head.endswith((".", "?", "!")):
        return f"{head.rstrip(':：')}: {body}"
    return text


def option_mark(item: Item, g: Grammar) -> OptionMark | None:
    """The option reading of an item (read once, when the item was made)."""
    return item.option


def _read_option(line: Line, text: str, g: Grammar) -> OptionMark | None:
    """A Word list label (``A.``, ``3)``, a bullet) or a typed label. Word lists are
    styles of their own (``list:<id>:<level>``)."""
    label = line.label
    if label:
        style = f"list:{line.list_id}:{line.level or 0}"
        if label == "•":
            return OptionMark(style, -1, text)
        found = g.option_of(f"{label} x")
        if found is not None:
            return OptionMark(style, found.position, text)
        return OptionMark(style, -1, text)
    return g.option_of(text)


def is_gift(item: Item, g: Grammar) -> bool:
    return bool(g.gift_open.match(item.text)) or item.text[:1] in ("~", "=")


# -- answer keys ------------------------------------------------------------------------

def find_answer_key(items: list[Item], g: Grammar) -> AnswerKey:
    """Answer-key entries anywhere in the document: ``1. B  2. A,C`` lines; entries with
    explanations under a key heading (until a question header with a word: ``Question 5``);
    grids of a number row over an answer row (the same count of tokens). Found before
    question starts are chosen, so key entries (``1. B``) never start questions."""
    key = AnswerKey()
    in_key = False
    explained: int | None = None
    key_table: tuple[int, int, int] | None = None  # (table, number column, answer column)
    for index, item in enumerate(items):
        text = item.text
        if in_key and any(s.strong for s in g.starts_of(index, item.raw)):
            in_key, explained = False, None
            continue
        if item.line.cell is not None:
            table, row = item.line.cell
            if key_table is not None and key_table[0] == table:
                cells = item.line.text.split("\t")
                number = cells[key_table[1]].strip() if key_table[1] < len(cells) else ""
                answer = cells[key_table[2]].strip() if key_table[2] < len(cells) else ""
                if number.isdigit() and (positions := g.key_token(answer)):
                    key.answers[int(number)] = positions
                key.items.add(index)
                continue
            columns = _key_table_columns(item.line.text.split("\t"), g) if row == 1 else None
            if columns is not None:
                key_table = (table, *columns)
                key.items.add(index)
                continue
        value = item.answer
        if value is not None and len(pairs := g.answer_key_pair.findall(value)) >= 2:
            for number, token in pairs:  # Answers: 1-B, 2-C, 3-A
                if positions := g.key_token(token):
                    key.answers[int(number)] = positions
            key.items.add(index)
            continue
        if g.answer_key_line.match(text) and (in_key or not option_mark(item, g)):
            for number, token in g.answer_key_pair.findall(text):
                if positions := g.key_token(token):
                    key.answers[int(number)] = positions
            key.items.add(index)
            continue
        if g.key_grid_numbers.match(text) and index + 1 < len(items):
            answers = items[index + 1].text.split()
            numbers = text.split()
            consecutive = all(int(b) == int(a) + 1 for a, b in zip(numbers, numbers[1:]))
            if consecutive and len(answers) == len(numbers) and g.key_grid_answers.match(items[index + 1].text):
                for number, token in zip(numbers, answers):
                    if positions := g.key_token(token):
                        key.answers[int(number)] = positions
                key.items.update({index, index + 1})
                continue
        if index - 1 in key.items and g.key_grid_answers.match(text):
            continue
        if g.answer_key_heading.match(text):
            in_key = True
            key.items.add(index)
            continue
        if in_key:
            if Mark.OCR in item.line.marks or Mark.IMAGE_TEXT in item.line.marks:
                text = _ocr_answer_letters(text, g)
            entry = g.answer_key_explained.match(text)
            if entry:
                explained = int(entry.group(1))
                key.answers[explained] = g.key_token(entry.group(2))
                key.explanations[explained] = [entry.group(3).strip()] if entry.group(3).strip() else []
            elif explained is not None and text:
                key.explanations[explained].append(text)
            key.items.add(index)
    return key


def _key_table_columns(cells: list[str], g: Grammar) -> tuple[int, int] | None:
    """(number column, answer column) of an answer-key table's header row (``No. |
    Answer``, ``Question | Correct answer`` without question text), or None."""
    heads = g.table_headers
    cells = [c.strip() for c in cells]
    numbers = [i for i, c in enumerate(cells) if heads["number"].match(c)]
    questions = [i for i, c in enumerate(cells) if heads["question"].match(c)]
    answer = next((i for i, c in enumerate(cells) if heads["correct"].match(c)), None)
    if answer is None or (numbers and questions) or any(heads["option"].match(c) for c in cells):
        return None  # a table of questions (number and text, or options), not a key
    number = (numbers or questions or [None])[0]
    return None if number is None or number == answer else (number, answer)


def _ocr_answer_letters(text: str, g: Grammar) -> str:
    """``3) 8, (. - why`` read by OCR → ``3) B, C - why``: answer tokens that can only be
    one letter's look-alike are replaced by it; a period after the token (``B.`` in the
    key, or a speck OCR read as one) is not part of the letter."""
    match = g.ocr_key_entry.match(text)
    if not match:
        return text
    tokens = [t.strip() for t in match.group(2).split(",")]
    tokens = [g.ocr_letter_of.get(t.rstrip("."), t) for t in tokens]
    return f"{match.group(1)}{', '.join(tokens)}{match.group(3)}"


# -- question starts --------------------------------------------------------------------

def _question_like(item: Item, g: Grammar) -> bool:
    return bool(option_mark(item, g) or item.answer or is_gift(item, g)
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
    """Weak candidates followed, before the next of their rule, by an option or an
    answer (a question has them; the items of a numbered option list do not)."""
    kept = []
    for k, start in enumerate(starts):
        if start.strong or any(_question_like(items[i], g) for i in range(start.index + 1, _next_question(starts, k, items))):
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
    chains.sort(key=lambda c: (-c[0], c[1]))
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
        mark = None if index in skip else option_mark(item, g)
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
