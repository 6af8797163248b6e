"""Exam-dump questions (``Question #N`` blocks, INPUTS.md §2) from any reader's lines.

A block runs from one ``Question #N`` header to the next. Inside it a small state machine
reads stem → options → answer → explanation, dropping ExamTopics chrome (``Hide
Solution``, comments, ``upvoted N times``) and keeping every answer signal apart:

* ``given``: ``Correct Answer: B`` / ``정답: B``;
* ``prose``: ``정답은 B입니다`` or ``정답은 다음 …`` followed by the chosen options;
* ``key``: an answer key at the end of the document (``1. B  2. A,C``);
* ``formatting``: options that are wholly bold or highlighted;
* ``most_voted``: options marked ``Most Voted``; ``community``: ``C (71%)`` lines.

The answer is the first present in that order (the dump's own statement beats the crowd);
disagreement is flagged, never hidden. Two blocks with the same number in two languages
are one question: the document's majority language is primary, the other a translation.
All patterns are data (``data/exam_dump.json``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from extract.lang import detect_lang
from extract.normalize import fix_mojibake
from extract.rules import load_rules
from ingest.document import Document, Line

RULES = "exam_dump"
#: answer signals in the order they decide the answer
SIGNAL_ORDER = ("given", "prose", "key", "formatting", "most_voted")
IMAGE_MARK = "image"
#: Reader marks of text that OCR read (scanned pages, pictures): look-alikes apply there.
OCR_MARKS = frozenset({"ocr", "image_text"})
#: Reader marks that single out an option as the answer when only some options carry them.
EMPHASIS_MARKS = frozenset({"bold", "highlight", "color"})
IMAGE_REF = re.compile(r"\[image: ([^\]]+)\]")
#: Why a picture has no text, when that means the question lost content.
UNREAD_PICTURE_NOTES = ("ocr_unavailable", "unresolved", "unreadable")


@dataclass
class ExamQuestion:
    """One exam-dump question; field names follow :class:`GuideQuestion` so one record
    builder serves both (a dump has no modules or topics)."""

    number: int
    lang: str
    stem: str
    options: list[tuple[str, str]]
    answer: list[str]
    explanation: str | None
    pages: list[int]
    answer_signals: dict[str, list[str]] = field(default_factory=dict)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    expected_count: int | None = None
    module: None = None
    module_title: None = None
    topic: None = None
    rationales: list[tuple[str, str]] = field(default_factory=list)
    match_targets: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "multi" if len(self.answer) > 1 or (self.expected_count or 1) > 1 else "single"


@dataclass
class _Block:
    number: int
    lines: list[tuple[int, Line]] = field(default_factory=list)  # (page, line)


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    rules = dict(load_rules(RULES))
    flags = re.IGNORECASE
    compiled = {k: re.compile(v, flags) for k, v in rules.items()
                if isinstance(v, str) and not k.startswith("_")}
    compiled["option_markers"] = [(name, re.compile(p)) for name, p in rules["option_markers"]]
    compiled["given_answer"] = [re.compile(p, flags) for p in rules["given_answer"]]
    compiled["chrome"] = [re.compile(p, flags) for p in rules["chrome"]]
    compiled["count_words"] = rules["count_words"]
    compiled["ocr_label_lookalikes"] = rules["ocr_label_lookalikes"]
    unique: dict[str, str] = {}
    for letter, shapes in rules["ocr_label_lookalikes"].items():
        for shape in shapes:
            unique[shape] = letter if shape not in unique else ""
    compiled["ocr_letter_of"] = {shape: letter for shape, letter in unique.items() if letter}
    return compiled


def extract_exam_questions(document: Document) -> list[ExamQuestion]:
    """Every ``Question #N`` of the document, bilingual pairs merged."""
    rules = _rules()
    lines = [(page.number, Line(fix_mojibake(line.text), line.source_line, line.marks))
             for page in document.pages for line in page.lines]
    blocks, key = _split_blocks(lines, rules)
    questions = [_parse_block(block, rules, key) for block in blocks]
    questions = [q for q in questions if q is not None]
    for question in questions:
        question.flags = sorted(set(question.flags) | _picture_flags(question.images, document))
    return _merge_translations(_attach_answer_blocks(questions))


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
        target.answer, decided = _decide_answer(target.answer_signals)
        target.flags = sorted((set(target.flags) - {"answer_missing", "answer_from_community"}) | decided
                              | _answer_flags(target.answer, labels, target.expected_count,
                                              target.answer_signals))
    return kept


def is_question_header(text: str) -> bool:
    """A ``Question #N`` header line (where pasted exam questions begin in notes)."""
    return bool(_rules()["question_header"].match(text.strip()))


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


@dataclass
class AnswerKey:
    """Answers (and their explanations) given apart from the questions, usually at the end:
    ``1. B  2. A,C`` lines, or ``1) B – because …`` entries under an ``Answers`` heading."""

    answers: dict[int, list[str]] = field(default_factory=dict)
    explanations: dict[int, list[str]] = field(default_factory=dict)


def _question_starts(lines: list[tuple[int, Line]], rules: dict) -> dict[int, tuple[int, str]]:
    """Line index → (question number, text after the header) of every question start.

    ``Question #N`` headers when the document has them. Otherwise (official sample-question
    PDFs, plain numbered lists) each run of lettered options starting at ``A`` belongs to
    the numbered line before it that continues the numbering (previous question + 1, the
    first such line: a numbered list inside a stem comes after its question's number);
    failing that, the first numbered line with a higher number. Option lists ``1.``–``4.``
    never start questions, since only lettered options anchor one.
    """
    texts = [line.text.strip() for _, line in lines]
    headers = {i: (int(m.group(1)), "") for i, text in enumerate(texts)
               if (m := rules["question_header"].match(text))}
    if headers:
        return headers
    numbered = [(i, int(m.group(1)), m.group(2).strip()) for i, text in enumerate(texts)
                if (m := rules["numbered_question"].match(text))
                and not rules["answer_key_line"].match(text)]
    first_options = [i for i, text in enumerate(texts) if _opens_lettered_options(text, rules)]
    starts: dict[int, tuple[int, str]] = {}
    last_index, last_number = -1, 0
    for options_at in first_options:
        candidates = [c for c in numbered if last_index < c[0] < options_at and c[1] > last_number]
        if not candidates:
            continue
        index, number, rest = next((c for c in candidates if c[1] == last_number + 1), candidates[0])
        starts[index] = (number, rest)
        last_index, last_number = index, number
    return starts


def _split_blocks(lines: list[tuple[int, Line]], rules: dict) -> tuple[list[_Block], AnswerKey]:
    blocks: list[_Block] = []
    key = AnswerKey()
    starts = _question_starts(lines, rules)
    in_key = False      # after an "Answers" heading nothing belongs to the last question
    explained: int | None = None  # the key entry whose explanation continues
    for index, (page, line) in enumerate(lines):
        text = line.text.strip()
        if index in starts:
            number, rest = starts[index]
            blocks.append(_Block(number))
            if rest:
                blocks[-1].lines.append((page, Line(rest, line.source_line, line.marks)))
            in_key, explained = False, None
            continue
        if rules["answer_key_line"].match(text):
            for number, letters in rules["answer_key_pair"].findall(text):
                key.answers[int(number)] = _letters(letters)
            continue
        in_key = in_key or bool(rules["answer_key_heading"].match(text))
        if in_key:
            if line.marks & OCR_MARKS:
                text = _ocr_answer_letters(text, rules)
            entry = rules["answer_key_explained"].match(text)
            if entry:
                explained = int(entry.group(1))
                key.answers[explained] = _letters(entry.group(2))
                key.explanations[explained] = [entry.group(3).strip()]
            elif explained is not None and text:
                key.explanations[explained].append(text)
            continue
        if blocks:
            blocks[-1].lines.append((page, line))
    return blocks, key


def _letters(text: str) -> list[str]:
    return sorted(set(re.findall(r"[A-Z]", text.upper())))


def _parse_block(block: _Block, rules: dict, key: AnswerKey) -> ExamQuestion | None:
    stem: list[str] = []
    options: list[list[str]] = []       # [label, text]
    option_marks: list[frozenset[str]] = []
    explanation: list[str] = []
    signals: dict[str, list[str]] = {}
    flags: set[str] = set()
    images: list[str] = []
    state = "stem"
    numbered = False
    # lettered options from A make any 1./2. lines a list inside the stem, not options
    lettered = any(_opens_lettered_options(line.text.strip(), rules) for _, line in block.lines)
    pages = sorted({page for page, _ in block.lines})
    for _page, line in block.lines:
        text = line.text.strip()
        if not text:
            continue
        if IMAGE_MARK in line.marks:
            flags.add("image_dependent")
            images.extend(IMAGE_REF.findall(text))
        if any(p.search(text) for p in rules["chrome"]):
            continue
        if rules["community_header"].match(text):
            state = "community"
            continue
        if state in ("community", "discussion"):
            vote = rules["community_vote"].match(text)
            if vote and state == "community":
                signals.setdefault("community", []).append(f"{vote.group(1).upper()} ({vote.group(2)}%)")
            else:
                state = "discussion"  # comments follow the votes: not part of the question
            continue
        given = next((m for p in rules["given_answer"] if (m := p.match(text))), None)
        if given:
            signals["given"] = _letters(given.group(1))
            state = "explanation"
            continue
        prose = rules["prose_answer"].search(text)
        if prose and state != "explanation":
            signals["prose"] = _letters(prose.group(1))
            state = "explanation"
            explanation.append(text)
            continue
        if rules["prose_answer_list"].search(text):
            state = "prose_list"
            explanation.append(text)
            continue
        marker = _option_marker(text, rules)
        if state == "prose_list" and marker:
            signals.setdefault("prose", []).append(marker[0])
            explanation.append(text)
            continue
        if marker and marker[2] == "number" and lettered:
            marker = None
        if state == "options" and line.marks & OCR_MARKS:
            marker = _ocr_option_marker(text, marker, options[-1][0], rules)
        if state in ("stem", "options") and marker and (not numbered or marker[2] == "number"):
            label, body, kind = marker
            numbered = numbered or kind == "number"
            voted = rules["most_voted"].search(body)
            if voted:
                body = body[: voted.start()].rstrip()
                signals.setdefault("most_voted", []).append(label)
            options.append([label, body])
            option_marks.append(line.marks)
            state = "options"
            continue
        if state == "options":
            options[-1][1] = f"{options[-1][1]}\n{text}"
        elif state == "stem":
            stem.append(text)
        else:
            explanation.append(text)
    if not stem and not options and not signals:
        return None
    formatted = [label for (label, _), marks in zip(options, option_marks)
                 if marks & EMPHASIS_MARKS]
    if formatted and len(formatted) < len(options):
        signals["formatting"] = formatted
    if block.number in key.answers:
        signals["key"] = key.answers[block.number]
    if not explanation and block.number in key.explanations:
        explanation = key.explanations[block.number]
    for name in ("prose", "most_voted"):
        if name in signals:
            signals[name] = sorted(set(signals[name]))
    stem_text = "\n".join(stem)
    expected = _expected_count(stem_text, rules)
    answer, decided = _decide_answer(signals)
    flags |= decided
    labels = [label for label, _ in options]
    flags |= _answer_flags(answer, labels, expected, signals)
    if not options:
        flags.add("options_missing")
    lang = detect_lang(stem_text + " " + " ".join(t for _, t in options)) or "en"
    return ExamQuestion(block.number, lang, stem_text, [(l, t) for l, t in options], answer,
                        "\n".join(explanation) or None, pages, signals, {}, sorted(flags), expected,
                        images=images)


def _opens_lettered_options(text: str, rules: dict) -> bool:
    """``A.`` / ``(A)`` / ``a)``: the first of a run of lettered options."""
    marker = _option_marker(text, rules)
    return marker is not None and marker[0] == "A" and marker[2] != "number"


def _ocr_option_marker(text: str, marker: tuple[str, str, str] | None, previous: str,
                       rules: dict) -> tuple[str, str, str] | None:
    """On an OCR'd line inside a run of options, a marker that is not the next letter but
    looks like it (``8)`` after ``A)``) is read as that letter."""
    expected = chr(ord(previous) + 1)
    if marker and marker[0] == expected:
        return marker
    found = rules["ocr_marker"].match(text)
    if found and found.group(1) in rules["ocr_label_lookalikes"].get(expected, ()):
        return expected, found.group(2).strip(), "letter"
    return marker


def _ocr_answer_letters(text: str, rules: dict) -> str:
    """``3) 8, (. - why`` read by OCR → ``3) B, C - why``: answer tokens that can only be
    one letter's look-alike are replaced by it; a period after the token (``B.`` in the
    key, or a speck OCR read as one) is not part of the letter."""
    match = rules["ocr_key_entry"].match(text)
    if not match:
        return text
    tokens = [t.strip() for t in match.group(2).split(",")]
    tokens = [rules["ocr_letter_of"].get(t.rstrip("."), t) for t in tokens]
    return f"{match.group(1)}{', '.join(tokens)}{match.group(3)}"


def _option_marker(text: str, rules: dict) -> tuple[str, str, str] | None:
    """(label, text, marker kind) of an option line; numbers 1–9 stand for A–I."""
    for kind, pattern in rules["option_markers"]:
        match = pattern.match(text)
        if match:
            mark = match.group(1)
            label = chr(ord("A") + int(mark) - 1) if mark.isdigit() else mark.upper()
            return label, match.group(2).strip(), kind
    return None


def _decide_answer(signals: dict[str, list[str]]) -> tuple[list[str], set[str]]:
    """The answer by the stated rule: the first signal present in :data:`SIGNAL_ORDER`,
    else the community's largest share (flagged ``answer_from_community``)."""
    answer = next((signals[name] for name in SIGNAL_ORDER if signals.get(name)), [])
    if not answer and signals.get("community"):
        return _community_choice(signals["community"]), {"answer_from_community"}
    return answer, set()


def _community_choice(votes: list[str]) -> list[str]:
    """The letters of the largest share in ``["C (71%)", "A (29%)"]``."""
    top = max(votes, key=lambda vote: int(re.search(r"(\d+)%", vote).group(1)))
    return _letters(top.split()[0])


def _expected_count(stem: str, rules: dict) -> int | None:
    match = rules["choose_count"].search(stem)
    if not match:
        return None
    word = next(g for g in match.groups() if g)
    return int(word) if word.isdigit() else rules["count_words"].get(word.lower())


def _answer_flags(answer: list[str], labels: list[str], expected: int | None,
                  signals: dict[str, list[str]]) -> set[str]:
    flags: set[str] = set()
    if not answer:
        flags.add("answer_missing")
    if labels and labels != [chr(ord("A") + i) for i in range(len(labels))]:
        flags.add("option_gap")
    if any(a not in labels for a in answer) and labels:
        flags.add("answer_not_in_options")
    if expected is not None and answer and len(answer) != expected:
        flags.add("answer_count_mismatch")
    stated = [signals[n] for n in SIGNAL_ORDER if signals.get(n)]
    if any(s != stated[0] for s in stated[1:]):
        flags.add("answer_signals_conflict")
    if signals.get("community") and answer and _community_choice(signals["community"]) != answer:
        flags.add("community_disagrees")
    return flags


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
        if previous is None or previous.number != q.number or previous.lang == q.lang:
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
