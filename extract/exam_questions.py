"""Questions of any question file (exam dumps, quizzes, banks) from any reader's lines.

Three steps, each its own module: :mod:`extract.exam_segment` finds where questions
begin (the numbering rule that explains the document, or option runs when nothing is
numbered) and where an answer key is; this module reads each block as stem → options →
answer → explanation; :mod:`extract.answers` decides the answer from every signal the
block and the document give. ExamTopics chrome (``Hide Solution``, comments, ``upvoted N
times``) is dropped; two blocks with the same number in two languages are one question
(the document's majority language is primary, the other a translation). Tables with one
question per row are read by their header row. All patterns are data
(``data/exam_dump.json``, compiled by :mod:`extract.exam_grammar`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


from extract.answers import answer_flags, decide, expected_count, formatting_signal, match_option_text
from extract.exam_grammar import Grammar, grammar, letter
from extract.exam_items import Item, flatten, is_gift
from extract.exam_keys import AnswerKey, find_answer_key
from extract.exam_model import ExamQuestion
from extract.exam_segment import Block, choose_starts, numbered_blocks, option_runs, unnumbered_blocks
from extract.exam_tables import table_questions
from extract.lang import detect_lang
from ingest.document import Document, Mark

#: Options may skip this many labels (a dump that lost option B: A, C, D, E, F).
MAX_OPTION_GAP = 2
#: Why a picture has no text, when that means the question lost content.
UNREAD_PICTURE_NOTES = ("ocr_unavailable", "unresolved", "unreadable", "too_large", "page_too_complex")
IMAGE_REF = re.compile(r"\[image: ([^\]]+)\]")


@dataclass
class Layout:
    """What segmentation found, for ``qbank inspect`` and the never-silent-zero warning."""

    items: list[Item]
    starts: dict[int, Any]
    rules: list[str]
    key: AnswerKey
    numbered: bool


def extract_exam_questions(document: Document) -> list[ExamQuestion]:
    """Every question of the document, bilingual pairs merged."""
    return read_exam(document)[0]


def read_exam(document: Document) -> tuple[list[ExamQuestion], Layout]:
    g = grammar()
    items = flatten(document, g)
    tabled, table_rows = table_questions(items, g)
    if table_rows:
        items = [item for index, item in enumerate(items) if index not in table_rows]
    key = find_answer_key(items, g)
    starts, rules = choose_starts(items, g, key)
    runs = option_runs(items, g, key.items)
    numbered = bool(starts) and (any(s.strong for s in starts.values()) or len(starts) >= 0.5 * len(runs))
    blocks = numbered_blocks(items, starts, key) if numbered else unnumbered_blocks(items, g, key)
    questions = []
    for position, block in enumerate(blocks, start=1):
        question = _parse_block(block, g, key, position, document.format == "pdf")
        if question is not None:
            questions.append(question)
    questions = tabled + questions
    for question in questions:
        question.flags = sorted(set(question.flags) | _picture_flags(question.images, document))
    layout = Layout(items, starts if numbered else {}, rules if numbered else [], key, numbered)
    return _merge_translations(_attach_answer_blocks(questions)), layout


def is_question_header(text: str) -> bool:
    """A ``Question #N`` header line (where pasted exam questions begin in notes)."""
    g = grammar()
    return any(s.rule == "hash" for s in g.starts_of(0, text))


# -- one block --------------------------------------------------------------------------

@dataclass
class _Reading:
    """A block being read."""

    stem: list[str] = field(default_factory=list)
    options: list[list] = field(default_factory=list)      # [text, position]
    option_marks: list[frozenset[str]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    signals: dict[str, list[str]] = field(default_factory=dict)
    given_text: str | None = None
    flags: set[str] = field(default_factory=set)
    images: list[str] = field(default_factory=list)
    marked: list[int] = field(default_factory=list)
    gift: list[int] = field(default_factory=list)


def _choose_run(items: list[Item], g: Grammar, rest: str = "") -> tuple[int, int, bool]:
    """(first, last) index of the block's options and whether they are unlabelled.

    The run of one style from its first label on, before the answer line (lists in an
    explanation are not options); labelled runs before unlabelled ones (bullets, dashes,
    Word bullets) and numbers (a numbered list inside a stem, then lettered options),
    then the longest, then the later. Without any run, the lines between a stem that
    asks and the answer line are the options (``Which is a fruit?`` / ``Apple`` /
    ``Chair`` / ``Answer: Apple``)."""
    best: tuple[tuple, int, int] | None = None
    end = next((i for i, item in enumerate(items)
                if item.answer is not None or g.explanation_start.match(item.text)), len(items))
    index = 0
    while index < end:
        mark = items[index].option
        if mark is None or mark.position not in (0, -1):
            index += 1
            continue
        style, position, last, count = mark.style, 0, index, 1
        j = index + 1
        while j < end:
            nxt = items[j].option
            if nxt is not None and nxt.style == style and (
                    nxt.position == -1 or position < nxt.position <= position + MAX_OPTION_GAP):
                position, last, count = max(nxt.position, position + 1), j, count + 1
            elif nxt is not None and nxt.position == 0:
                break
            j += 1
        labelled = mark.position == 0 and style not in NUMBER_STYLES
        rank = (count >= 2, labelled, count, index)
        if best is None or rank > best[0]:
            best = (rank, index, last)
        index = last + 1
    if best is not None and best[0][0]:
        return best[1], best[2], False
    return (_unlabelled(items, end, g, bool(g.asking_end.search(rest)))
            or ((best[1], best[2], False) if best else (len(items), len(items) - 1, False)))


#: Option styles whose labels are numbers (a numbered list in a stem looks the same).
NUMBER_STYLES = frozenset({"number", "paren_number"})
#: How many unlabelled lines between an asking stem and its answer can be options.
UNLABELLED_OPTIONS = (2, 10)


def _unlabelled(items: list[Item], answer_at: int, g: Grammar, header_asks: bool) -> tuple[int, int, bool] | None:
    """The unlabelled lines after the stem's asking line (or the header's, when the stem
    is on the question's first line) and before the answer line, if there are a few."""
    if answer_at >= len(items) or items[answer_at].answer is None:
        return None
    asks = next((i for i in range(answer_at - 1, -1, -1) if g.asking_end.search(items[i].text)),
                -1 if header_asks else None)
    if asks is None:
        return None
    lines = range(asks + 1, answer_at)
    low, high = UNLABELLED_OPTIONS
    if not low <= len(lines) <= high or any(g.asking_end.search(items[i].text) for i in lines):
        return None
    return asks + 1, answer_at - 1, True


def _parse_block(block: Block, g: Grammar, key: AnswerKey, position: int,
                 wrapped: bool) -> ExamQuestion | None:
    """Read one block. ``wrapped``: lines are typeset lines (PDF), so an option's next
    line continues its text; otherwise (Word paragraphs) it is a paragraph of its own."""
    items = block.items
    reading = _Reading()
    join = join_wrapped if wrapped else _join_paragraph
    if block.rest:
        reading.stem.append(block.rest)
    first, last, unlabelled = _choose_run(items, g, block.rest)
    state = "stem"
    for index, item in enumerate(items):
        text = item.text
        marks = item.line.marks
        if Mark.IMAGE in marks:
            reading.flags.add("image_dependent")
            reading.images.extend(IMAGE_REF.findall(text))
        if g.is_chrome(text):
            continue
        if Mark.IMAGE_TEXT in marks and state == "stem" and _typed_stem(reading) and not item.option:
            continue  # an exhibit's OCR text: kept with the picture (images[].text), not the stem
        if g.community_header.match(text):
            state = "community"
            continue
        if state in ("community", "discussion"):
            vote = g.community_vote.match(text)
            if vote and state == "community":
                reading.signals.setdefault("community", []).append(f"{vote.group(1).upper()} ({vote.group(2)}%)")
            else:
                state = "discussion"  # comments follow the votes: not part of the question
            continue
        if unlabelled and first <= index <= last:
            _add_option(reading, text, marks, g, len(reading.options))
            state = "options"
            continue
        if first <= index <= last and state in ("stem", "options"):
            mark = item.option
            previous = reading.options[-1][1] if reading.options else -1
            if mark is not None and (mark.position == -1
                                     or previous < mark.position <= previous + MAX_OPTION_GAP):
                _add_option(reading, mark.text, marks, g,
                            mark.position if mark.position >= 0 else previous + 1)
                if mark.marked:
                    reading.marked.append(reading.options[-1][1])
                state = "options"
                continue
            if state == "options" and not item.answer:
                if _continues_option(item):
                    reading.options[-1][0] = join(reading.options[-1][0], text)
                continue
        if is_gift(item, g) and state in ("stem", "options", "gift"):
            _add_gift(reading, text, g)
            state = "gift" if not g.gift_close.search(text) else "after"
            continue
        if state == "gift":
            if reading.options:
                reading.options[-1][0] = join(reading.options[-1][0], text.rstrip("}").strip())
            if g.gift_close.search(text):
                state = "after"
            continue
        value = item.answer
        if value is not None and (reading.options or state != "stem" or index > last or not _is_question(text)):
            positions, rest = g.parse_answer(value)
            if positions and not _names_an_option_text(value, reading):
                reading.signals["given"] = [letter(p) for p in positions]
                if rest:
                    reading.explanation.append(rest)
            else:
                reading.given_text = value
            state = "explanation"
            continue
        explained = g.explanation_start.match(text)
        if explained and state != "stem":
            if explained.group(1).strip():
                reading.explanation.append(explained.group(1).strip())
            state = "explanation"
            continue
        prose = g.prose_answer.search(text)
        if prose and state != "explanation":
            reading.signals["prose"] = sorted(set(re.findall(r"[A-Z]", prose.group(1).upper())))
            state = "explanation"
            reading.explanation.append(text)
            continue
        if g.prose_answer_list.search(text):
            state = "prose_list"
            reading.explanation.append(text)
            continue
        if state == "prose_list":
            mark = item.option
            if mark is not None and mark.position >= 0:
                reading.signals.setdefault("prose", []).append(letter(mark.position))
                reading.explanation.append(text)
                continue
        if state == "options" and index > last:
            if _continues_option(item):
                reading.options[-1][0] = join(reading.options[-1][0], text)
            continue
        if state == "stem":
            reading.stem.append(text)
        else:
            reading.explanation.append(text)
    return _question(block, reading, g, key, position)


def _asks(stem: str, signals: dict[str, list[str]]) -> bool:
    """Without a number, a stem and a list are a question only if the document gives an
    answer for it or the stem asks (``?``, ``:``, a blank to fill)."""
    return bool(signals) or bool(grammar().asking_end.search(stem))


def _names_an_option_text(value: str, reading: _Reading) -> bool:
    """``Answer: 8`` beside the options 16 / 4 / 32 / 8 names the option whose text is 8,
    not the eighth option: a value equal to an option's whole text is that option."""
    value = value.strip().rstrip(".。")
    return any(text.strip() == value for text, _ in reading.options)


def _typed_stem(reading: _Reading) -> bool:
    """The stem has typed text of its own (a question pasted as a picture has none: its
    OCR text is the stem)."""
    return any(line and not line.startswith("[image: ") for line in reading.stem)


def _continues_option(item: Item) -> bool:
    """A line after an option continues its text unless it is a picture placeholder, set
    in larger type (a page header the furniture detector did not learn) or a section
    heading between questions."""
    return not item.line.marks & {Mark.IMAGE, Mark.HEADING} and not grammar().section_heading.match(item.text)


def _is_question(text: str) -> bool:
    return text.rstrip().endswith(("?", "？"))


def _add_option(reading: _Reading, text: str, marks: frozenset[str], g: Grammar,
                position: int) -> None:
    voted = g.most_voted.search(text)
    if voted:
        text = text[: voted.start()].rstrip()
        reading.signals.setdefault("most_voted", []).append(letter(position))
    reading.options.append([text, position])
    reading.option_marks.append(marks)


def _add_gift(reading: _Reading, text: str, g: Grammar) -> None:
    """GIFT options on one line or several: ``=`` is right, ``~%N%`` weighs N percent."""
    body = text.lstrip("{").rstrip()
    body = body[:-1] if body.endswith("}") else body
    for sign, weight, option in g.gift_option.findall(body):
        option = option.strip()
        if not option and not weight:
            continue
        reading.options.append([option, len(reading.options)])
        reading.option_marks.append(frozenset())
        if sign == "=" or (weight and float(weight) > 0):
            reading.gift.append(len(reading.options) - 1)


def _question(block: Block, reading: _Reading, g: Grammar, key: AnswerKey,
              position: int) -> ExamQuestion | None:
    signals = reading.signals
    if not reading.stem and not reading.options and not signals and reading.given_text is None:
        return None
    number = block.number if block.number is not None else position
    stem_text = "\n".join(reading.stem).strip()
    inline = g.inline_answer.search(stem_text)
    if inline:
        signals["inline"] = sorted({c for c in inline.group(1).upper() if c.isalpha()})
        stem_text = stem_text[: inline.start()].rstrip()
    if block.rule != "q":
        stem_text = g.stem_source_prefix.sub("", stem_text, count=1)
    stem_text = g.stem_label.sub("", stem_text, count=1)
    options = [(letter(position), _clean_option(text)) for text, position in reading.options]
    if reading.marked:
        signals["marked"] = [letter(i) for i in reading.marked]  # positions
    if reading.gift:
        signals["gift"] = [letter(i) for i in reading.gift]
    if reading.given_text is not None and "given" not in signals:
        matched = match_option_text(reading.given_text, options, g.answer_text_min_ratio)
        if matched:
            signals["given"] = matched
        else:
            signals["given_text"] = [reading.given_text]
    formatted = formatting_signal(reading.option_marks)
    if formatted and not reading.gift:
        signals["formatting"] = [options[i][0] for i in formatted]
    if number in key.answers and block.number is not None:
        signals["key"] = [letter(p) for p in key.answers[number]]
    explanation = reading.explanation
    if not explanation and block.number is not None and key.explanations.get(number):
        explanation = key.explanations[number]
    for name in ("prose", "most_voted"):
        if name in signals:
            signals[name] = sorted(set(signals[name]))
    expected = expected_count(stem_text)
    if block.number is None and not _asks(stem_text, signals):
        return None  # a list in prose (an article's numbered points), not a question
    answer, flags = decide({k: v for k, v in signals.items() if k != "given_text"})
    flags |= reading.flags
    labels = [label for label, _ in options]
    flags |= answer_flags(answer, labels, expected, signals)
    if not options:
        flags.add("options_missing")
    if block.number is None:
        flags.add("number_by_position")
    lang = detect_lang(stem_text + " " + " ".join(t for _, t in options)) or "en"
    return ExamQuestion(number, lang, stem_text, options, sorted(answer), "\n".join(explanation).strip() or None,
                        sorted({item.page for item in block.items}) or [1], signals, {}, sorted(flags),
                        expected, images=reading.images)


def _clean_option(text: str) -> str:
    return text.strip()


def _join_paragraph(text: str, more: str) -> str:
    return f"{text}\n{more}" if text else more


#: Scripts written without spaces between words (a wrapped line continues the word):
#: Han, kana, Hangul syllables.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]")


def join_wrapped(text: str, more: str) -> str:
    """An option's text continued on the next line: joined by a space, or by nothing
    between two letters of a script that wraps inside words (CJK; Korean lines of a
    justified PDF break inside words, ``규칙적`` / ``으로``, unless the line ends in a
    particle or ending: ``거리에`` / ``비례한다``)."""
    if not text:
        return more
    if _UNSPACED.match(text[-1]) and _UNSPACED.match(more[:1]):
        if not ("\uac00" <= text[-1] <= "\ud7a3" and text[-1] in grammar().hangul_space_after):
            return text + more
    return f"{text} {more}"


# -- across blocks ----------------------------------------------------------------------

def _picture_flags(refs: list[str], document: Document) -> set[str]:
    """``image_text_low_confidence`` when OCR was unsure of a picture's text,
    ``image_not_read`` when a picture could not be OCR'd at all."""
    flags: set[str] = set()
    for ref in refs:
        picture = document.pictures.get(ref)
        if picture is None:
            continue
        if picture.low_confidence:
            flags.add("image_text_low_confidence")
        if picture.note and picture.note.startswith(UNREAD_PICTURE_NOTES):
            flags.add("image_not_read")
    return flags


def _attach_answer_blocks(questions: list[ExamQuestion]) -> list[ExamQuestion]:
    """Notes often repeat a header to give the answer (``문제 #131: … 정답은 다음 …``): a
    block with answer signals but no stem or options adds them to the question of the
    same number before it (signals it lacks, explanation) and is not a question itself."""
    kept: list[ExamQuestion] = []
    for q in questions:
        if q.stem or q.options:
            kept.append(q)
            continue
        target = next((k for k in reversed(kept) if k.number == q.number), None)
        if target is None:
            continue
        for name, letters in q.answer_signals.items():
            target.answer_signals.setdefault(name, letters)
        if q.explanation:
            target.explanation = "\n".join(filter(None, [target.explanation, q.explanation]))
        labels = [label for label, _ in target.options]
        target.answer, decided = decide(target.answer_signals)
        target.flags = sorted((set(target.flags) - {"answer_missing", "answer_from_community"}) | decided
                              | answer_flags(target.answer, labels, target.expected_count,
                                             target.answer_signals))
    return kept


def _merge_translations(questions: list[ExamQuestion]) -> list[ExamQuestion]:
    """One record per question number and source: the majority language is primary."""
    if not questions:
        return []
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.lang] = counts.get(q.lang, 0) + 1
    primary = sorted(counts, key=lambda lang: (-counts[lang], lang))[0]
    merged: list[ExamQuestion] = []
    for q in questions:
        previous = merged[-1] if merged else None
        if (previous is None or previous.number != q.number or previous.lang == q.lang
                or "number_by_position" in q.flags):
            merged.append(q)
            continue
        main, other = (q, previous) if q.lang == primary and previous.lang != primary else (previous, q)
        merged[-1] = _combine(main, other)
    return merged


def _combine(main: ExamQuestion, other: ExamQuestion) -> ExamQuestion:
    flags = set(main.flags) | set(other.flags)
    if len(main.options) != len(other.options):
        flags.add("translation_option_count_mismatch")
    signals = {**other.answer_signals, **main.answer_signals}
    answer = main.answer or other.answer
    if main.answer and other.answer and main.answer != other.answer:
        flags.add("answer_signals_conflict")
    if answer:
        flags.discard("answer_missing")
    main.translations[other.lang] = {"stem": other.stem,
                                     "options": [{"label": l, "text": t} for l, t in other.options]}
    if other.explanation and not main.explanation:
        main.explanation = other.explanation
    main.answer, main.answer_signals = answer, signals
    main.pages = sorted(set(main.pages) | set(other.pages))
    main.flags = sorted(flags)
    main.expected_count = main.expected_count or other.expected_count
    main.images = main.images + [ref for ref in other.images if ref not in main.images]
    return main
