"""Knowledge checks of a course book: question page + answer page -> one question.

A knowledge check is two pages (INPUTS.md §1): ``N번 문제 <stem>`` with the options, then
``N번 문제 정답 ...`` repeating them, marking the right one, stating the answer, explaining
it and saying why the others are wrong (``오답: A ..., C ...``).

The OCR of a two-column slide interleaves options into the stem, mangles letters and drops
marks, so no single signal is trusted:

* **options** come from the question page's own lines when it has one option per line;
  otherwise (*interleaved* layout) the option count comes from the labels the answer page
  uses, and texts from the page's trailing lines, the text after the stem's ``?``, and the
  names the rationale gives each label (flagged as uncertain);
* **the answer** is a vote of three signals (see :func:`resolve_answer`): the stated answer
  (``정답은 B``), correctness marks next to options (``(정답)``), and the complement of
  the labels the ``오답`` section calls wrong; the number of answers comes from
  ``(3개 선택)``. Disagreements are flagged, and every signal is kept in the record.

Every phrase and marker lives in ``data/guide_questions.json``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from extract.answers import choose_phrase, expected_count
from extract.answers import resolve_votes as resolve_answer
from extract.furniture import CleanPage
from extract.rules import compiled, load_rules
from extract.readings import merge_readings
from extract.structure import PageStructure
from extract.two_column import HEADER, better_reading, deinterleave, restore_line_order

RULES = "guide_questions"
LABELS = "ABCDEFGH"
#: Items of a matching question are labelled A-Z (the corpus allows one capital letter).
#: A matching table has no eight-option limit: one of nine rows raised IndexError on
#: LABELS and dropped its whole source (issue 12). Rows past Z are dropped and flagged
#: ``matching_rows_capped``.
MATCHING_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Minimum fuzzy score for a correctness mark to point at an option.
MARK_MATCH_MIN = 60
#: Characters looked at on either side of a correctness mark.
MARK_WINDOW = 30
#: Knowledge-check pages searched after a question page for its answer page.
ANSWER_SEARCH = 3
#: Tokens a rationale may spend before naming its option (``A DeepAR은 ...``).
NAME_MAX_TOKENS = 6
_HAS_LETTERS = re.compile(r"[^\W\d_].*[^\W\d_]|[\uac00-\ud7a3]{2}")
_SENTENCE_END = re.compile(r"(?:다|요|음)[.]?$|[.!]$")


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


# ------------------------------------------------------------------ small text helpers
def _rules() -> dict:
    return load_rules(RULES)


def _is_option_like(text: str) -> bool:
    """A line that can hold an option: at least two letters, not only a number or icon."""
    return bool(_HAS_LETTERS.search(text))


def strip_column_headers(text: str, mark: str = " ") -> str:
    """Remove slide column headers and icons (``보기 용답``, ``89``) wherever they sit, or
    replace them by ``mark`` (a two-column reading keeps where its header stood)."""
    return re.sub(r"\s+", " ", compiled(RULES, "column_header").sub(f" {mark} ", text)).strip()


def _label_positions(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of standalone label tokens such as ``A``, ``B:``, ``D.``."""
    pattern = compiled(RULES, "label_token")
    found = []
    for match in re.finditer(r"\S+", text):
        token = pattern.match(match.group())
        if token:
            found.append((token.group("label"), match.start(), match.end()))
    return found


# ------------------------------------------------------------------ page reading
@dataclass
class QuestionPage:
    """What a question (or answer) page says, before pairing."""

    number: int
    is_answer: bool
    page: CleanPage
    structure: PageStructure
    first_line: str


def classify_pages(pages: list[CleanPage], structure: list[PageStructure]) -> list[QuestionPage]:
    marker = compiled(RULES, "question_marker")
    answer = compiled(RULES, "answer_page_marker")
    found = []
    for page, info in zip(pages, structure):
        if info.kind != "knowledge-check" or not page.lines:
            continue
        match = marker.match(page.lines[0].text)
        if not match:
            continue
        rest = page.lines[0].text[match.end():]
        is_answer = bool(answer.match(rest)) and rest.startswith("정답")
        if is_answer:
            rest = answer.sub("", rest, count=1)
        found.append(QuestionPage(int(match.group("num")), is_answer, page, info, rest))
    return found


@dataclass
class QuestionLayout:
    """The question page split into stem parts, option lines and trailing fragment."""

    stem: str
    option_lines: list[str]
    trailing: str
    matching: bool
    stream: str = ""  # the stem lines as read, options of a two-column page still inside


def read_question_page(qpage: QuestionPage) -> QuestionLayout:
    """Split a question page into stem, one-per-line options and a trailing fragment.

    Lines ending like a question (``?``) are stem; long lines are the instructor's note;
    the rest are option lines. Text after the stem's final ``?`` on the first line is a
    fragment of the options (two-column reading).
    """
    rules = _rules()
    stem_end = compiled(RULES, "stem_end")
    first = strip_column_headers(qpage.first_line)
    stem_parts = [first]
    options: list[str] = []
    for line in qpage.page.lines[1:]:
        text = strip_column_headers(line.text)
        if not _is_option_like(text):
            continue
        if stem_end.search(text):
            stem_parts.append(text)  # e.g. "어떻게 대답하시겠습니까?" after the options
        elif len(text) >= rules["note_min_chars"] or compiled(RULES, "note_pattern").search(text):
            continue  # the instructor's note on what the question tests
        else:
            options.append(text)
    stem = " ".join(stem_parts)
    stream = " ".join([strip_column_headers(qpage.first_line, HEADER)] + stem_parts[1:])
    trailing = ""
    question_mark = max(stem.rfind("?"), stem.rfind("？"))
    if question_mark >= 0 and question_mark < len(stem) - 1:
        trailing = stem[question_mark + 1:].strip()
        stem = stem[: question_mark + 1]
        choose = choose_phrase(trailing)
        if choose:  # "(3개 선택)" belongs to the stem, whatever follows it does not
            stem = f"{stem} {choose.group()}"
            trailing = (trailing[: choose.start()] + " " + trailing[choose.end():]).strip()
    if len(stem_parts) > 1 and not trailing:
        # "…합니다. GPU 문련 인스템스" then "사용 사례에 … 무엇입니까?": the first line's
        # text after its last sentence end belongs to the options
        head, tail = _split_after_last_sentence(stem_parts[0])
        if tail and _is_option_like(tail) and not _SENTENCE_END.search(tail):
            trailing = tail
            stem = " ".join([head] + stem_parts[1:])
    matching = bool(compiled(RULES, "matching_marker").search(stem))
    return QuestionLayout(stem.strip(), options, trailing if _is_option_like(trailing) else "",
                          matching, stream)


def _split_after_last_sentence(text: str) -> tuple[str, str]:
    match = None
    for match in re.finditer(r"(?:니다|습니다|입니다)[.]?(?=\s)", text):
        pass
    if match is None:
        return text, ""
    return text[: match.end()].strip(), text[match.end():].strip()


# ------------------------------------------------------------------ answer page reading
@dataclass
class AnswerReading:
    stated: list[str]
    stated_count: int
    marks_text: str
    section: str
    explanation: str | None
    wrong_labels: list[str]
    rationales: list[tuple[str, str]]
    labels_seen: set[str]
    names: dict[str, str]
    tail_lines: list[str]
    head_lines: list[str] = field(default_factory=list)
    #: names only the stated answer and the wrong-answer rationales give (the correct
    #: option's segment is explanation prose, whose subject need not be the option)
    option_names: dict[str, list[str]] = field(default_factory=dict)


def _answer_section_start(lines: list[str]) -> tuple[int, int]:
    """(line index, char offset) where the answer statement begins on the answer page."""
    patterns = [compiled_list("stated_answer"), [compiled(RULES, "stated_answer_follows")],
                [compiled(RULES, "explanation_marker")], [compiled(RULES, "wrong_section_marker")]]
    flat = [p for group in patterns for p in group]
    for index, line in enumerate(lines):
        hits = [m.start() for p in flat for m in [p.search(line)] if m]
        if hits:
            # on the first line the stem precedes the statement; later lines are all answer
            return index, (min(hits) if index == 0 else 0)
    return len(lines), 0


def compiled_list(key: str) -> list[re.Pattern[str]]:
    """Case-sensitive patterns: answer letters are capitals, ``a``/``b`` are not labels."""
    return [re.compile(p) for p in _rules()[key]]


def stated_letters(text: str) -> list[str]:
    """Letters the answer page states outright (``정답은 B,D``, ``정답: C``, ``B: 정답은``).

    A page may state twice and disagree (``정답: C`` then ``정답은 D``); all are returned
    and the vote decides. :func:`stated_count` tells how many answers one statement gives.
    """
    letters: list[str] = []
    for pattern in compiled_list("stated_answer"):
        for match in pattern.finditer(text):
            for letter in re.findall(r"[A-H]", match.group("letters")):
                if letter not in letters:
                    letters.append(letter)
    if letters:
        return letters
    follows = compiled(RULES, "stated_answer_follows").search(text)
    if follows:
        wrong = compiled(RULES, "wrong_section_marker").search(text, follows.end())
        window = text[follows.end(): wrong.start() if wrong else len(text)]
        labels = _label_positions(window)
        if labels:
            return [labels[0][0]]
    return letters


def stated_count(text: str) -> int:
    """Most letters given by a single answer statement (2 for ``정답은 B,D``)."""
    most = 0
    for pattern in compiled_list("stated_answer"):
        for match in pattern.finditer(text):
            most = max(most, len(re.findall(r"[A-H]", match.group("letters"))))
    return most


def read_answer_page(apage: QuestionPage) -> AnswerReading:
    lines = [apage.first_line] + [line.text for line in apage.page.lines[1:]]
    index, offset = _answer_section_start(lines)
    head = "\n".join(lines[:index] + ([lines[index][:offset]] if index < len(lines) else []))
    section = "\n".join(([lines[index][offset:]] if index < len(lines) else []) + lines[index + 1:])
    stated = stated_letters(section)
    # a multi-answer page may state only some of its answers (``정답은 B,D, [``)
    single = len(stated) == 1 and not choose_phrase(apage.first_line)
    correct_part, wrong_part = split_wrong_answers(section, stated if single else [])
    rationales = _segments_by_label(wrong_part)
    wrong_labels = sorted({label for label, _ in rationales})
    labels_seen = (set(stated) | {label for label, _, _ in _label_positions(section)}
                   | {m.group("label") for m in compiled(RULES, "option_reference").finditer(section)})
    # the stated answer names its option most reliably; rationales may mislabel
    names = _stated_names(section)
    option_names: dict[str, list[str]] = {label: [name] for label, name in names.items()}
    for label, text in rationales + [(label, text) for label, text in _segments_by_label(correct_part)
                                     if _colon_name(text)]:
        name = option_name(text)
        if name:
            option_names.setdefault(label, []).append(name)
    for label, text in _segments_by_label(correct_part) + rationales:
        name = option_name(text)
        if name and label not in names:
            names[label] = name
    head_lines = lines[:index] + ([lines[index][:offset]] if index < len(lines) else [])
    return AnswerReading(stated, stated_count(section), head, section, _explanation(correct_part, stated),
                         wrong_labels, rationales, labels_seen, names, lines[index:] if index else lines[1:],
                         head_lines, option_names)


def _segments_by_label(text: str) -> list[tuple[str, str]]:
    """Split text at label tokens: ``A DeepAR은 ... C Neural ...`` -> [(A, ...), (C, ...)]."""
    labels = _label_positions(text)
    segments = []
    for (label, _start, end), following in zip(labels, labels[1:] + [None]):
        body = re.sub(r"\s+", " ", text[end: following[1] if following else len(text)]).strip()
        if body:
            segments.append((label, body))
    return segments


def _stated_names(text: str) -> dict[str, str]:
    """``정답은 C 로지스틱 회귀입니다`` -> {C: 로지스틱 회귀}."""
    names = {}
    end = compiled(RULES, "answer_sentence_end")
    for pattern in compiled_list("stated_answer"):
        for match in pattern.finditer(text):
            letters = re.findall(r"[A-H]", match.group("letters"))
            if len(letters) != 1:
                continue
            rest = text[match.end():].lstrip(" ,:;'\"")
            stop = end.search(rest)
            name = rest[: stop.start()] if stop and stop.start() < 80 else ""
            name = name.strip(" '\":;,.")
            if name and _is_option_like(name):
                names[letters[0]] = name
    return names


def option_name(segment: str) -> str:
    """The option a rationale segment names: up to a colon, or the first particle-ended word.

    ``지식 기반 질문에 답변: LLM은`` -> ``지식 기반 질문에 답변``; ``DeepAR은 실시간`` ->
    ``DeepAR``; ``심층 신경망은 복잡하다`` -> ``심층 신경망``.
    """
    tokens = segment.split()[:NAME_MAX_TOKENS + 2]
    for index, token in enumerate(tokens[: NAME_MAX_TOKENS + 2]):
        if token.endswith(":") and index < NAME_MAX_TOKENS + 2:
            return " ".join(tokens[:index] + [token[:-1]]).strip()
    particles = sorted(_rules()["name_particles"], key=len, reverse=True)
    for index, token in enumerate(tokens[:NAME_MAX_TOKENS]):
        for particle in particles:
            # "밀도" is a word, not 밀 + 도: a name word keeps two letters
            if token.endswith(particle) and len(token) >= len(particle) + 2:
                return " ".join(tokens[:index] + [token[: -len(particle)]]).strip(" ,.")
    return ""


def _colon_name(segment: str) -> bool:
    """Does the segment name its option with a colon (``지식 기반 질문에 답변: LLM은``)?"""
    head = segment.split()[: NAME_MAX_TOKENS + 2]
    return any(token.endswith(":") for token in head[1:] + head[:1])


def split_wrong_answers(section: str, stated: list[str]) -> tuple[str, str]:
    """The answer section split into its correct part and its wrong-answer part.

    The wrong-answer part starts at the ``오답:`` marker — or earlier, where a label the
    page does not state as the answer begins a sentence: in two-column reading the marker
    sits in the left column and is read after the first rationale's first line (p. 46
    ``… 받을 수 있습니다. A. 이진 분류는 … 없습니다. 오답: B 회귀는 …``). Markers inside
    the wrong part are dropped (p. 235 reads ``비지도 오답: 학습에서는`` mid-sentence).
    """
    marker = compiled(RULES, "wrong_section_marker")
    found = marker.search(section)
    cut = found.start() if found else len(section)
    if stated:
        for label, start, _end in _label_positions(section[:cut]):
            before = section[:start].rstrip()
            if label not in stated and (not before or _SENTENCE_END.search(before)
                                        or _DEBRIS_TOKEN.search(before)):
                cut = start
                break
    wrong = marker.sub(" ", section[cut:])
    return section[:cut], wrong


#: What the OCR makes of a slide's icons between two sentences: ``0``, ``@``, ``CO``, ``CO%``.
_DEBRIS_TOKEN = re.compile(r"(?:^|\s)[^\uac00-\ud7a3\s]{1,3}$")


def _explanation(correct_part: str, stated: list[str] | None = None) -> str | None:
    """Text between the answer statement and the wrong-answer section, labels and marks
    removed, in reading order (:func:`extract.two_column.restore_line_order`: the line
    the two-column read put first is measured against the text as printed, statement
    included)."""
    text = re.sub(r"\s+", " ", correct_part).strip()
    start = _explanation_start(text, stated or [])
    if start:
        text = restore_line_order(_without_statements(text[:start]), text[start:])
    text = _without_statements(text)
    text = compiled(RULES, "explanation_marker").sub(" ", text)
    text = compiled(RULES, "correct_mark").sub(" ", text)
    if stated and len(stated) == 1:
        # "A: 손실 함수는 …": the single answer's label opens the explanation
        text = re.sub(rf"^\s*{stated[0]}\s*[:.;]?\s+", "", text.strip())
    text = re.sub(r"^[\s.:;,]+", "", re.sub(r"\s+", " ", text)).strip()
    return text or None


def _without_statements(text: str) -> str:
    """The text without its answer statements (``정답은 다음과 같습니다``, ``정답은 B, 이름입니다``)."""
    text = compiled(RULES, "stated_answer_follows").sub(" ", text)
    for pattern in compiled_list("stated_answer"):
        text = _remove_sentence(pattern, text)
    return re.sub(r"\s+", " ", text).strip()


def _explanation_start(text: str, stated: list[str]) -> int:
    """Where the explanation proper starts: its ``설명:`` marker, else the answer's label
    (``정답은 다음과 같습니다. … C: AWS Trainium은``); 0 when it starts the text."""
    marker = compiled(RULES, "explanation_marker").search(text)
    if marker:
        return marker.start()
    for label, start, _end in _label_positions(text):
        if label in stated:
            return start
    return 0


def _remove_sentence(pattern: re.Pattern[str], text: str) -> str:
    """Remove a stated-answer phrase, with the option's name up to its ``입니다`` when that
    is a name: a few words or a quotation (``정답은 B, 괜덤 컷 포레스트입니다``). After
    ``정답: B`` a sentence of the explanation may follow (p. 314), which stays."""
    end = compiled(RULES, "answer_sentence_end")
    out, cursor = [], 0
    for match in pattern.finditer(text):
        stop = end.search(text, match.end())
        name = text[match.end(): stop.start()].strip(" ,:") if stop else ""
        is_name = (stop is not None and stop.start() - match.end() < 80
                   and (len(name.split()) <= NAME_MAX_TOKENS or name[:1] in "'\"‘“"))
        cut = stop.end() if is_name else match.end()
        out.append(text[cursor: match.start()])
        cursor = cut
    out.append(text[cursor:])
    return " ".join(out)


# ------------------------------------------------------------------ answer resolution
def option_count_from_labels(labels: set[str]) -> int:
    """Largest L such that the labels up to L miss at most one letter (OCR drops or
    mangles one label now and then: ``F (오답)`` for B)."""
    best = 0
    for size in range(2, len(LABELS) + 1):
        present = sum(1 for letter in LABELS[:size] if letter in labels)
        if LABELS[size - 1] in labels and present >= size - 1:
            best = size
    return best


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
            if not _is_option_like(window):
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


# ------------------------------------------------------------------ options
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
        count = max(_rules()["default_option_count"], highest_stated)
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
    lines = [line for line in lines if _is_option_like(line)]
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


# ------------------------------------------------------------------ matching questions
def read_matching(layout: QuestionLayout, apage: QuestionPage | None
                  ) -> tuple[list[tuple[str, str]], list[str], list[str], str | None, list[str]]:
    """Items, targets, ``LABEL=target`` answers and explanation of a matching question.

    The first two lines are the column headers; then rows alternate item, target. On the
    answer page the targets are re-ordered to sit beside their items, and the text after
    the table explains. Target names are snapped to the service names that explanation
    spells (OCR garbles the short names in the table).
    """
    flags: list[str] = []
    rows = layout.option_lines
    headers = 2 if len(rows) % 2 == 0 and len(rows) >= 6 else 0
    rows = rows[headers:]
    pairs = len(rows) // 2
    if pairs > len(MATCHING_LABELS):
        pairs = len(MATCHING_LABELS)
        flags.append("matching_rows_capped")
    items = [(MATCHING_LABELS[i], rows[2 * i]) for i in range(pairs)]
    targets = [rows[2 * i + 1] for i in range(pairs)]
    answer: list[str] = []
    explanation = None
    canonical = list(targets)
    if apage is not None:
        lines = [strip_column_headers(line.text) for line in apage.page.lines[1:]]
        lines = [line for line in lines if _is_option_like(line)]
        table_end = headers + 2 * len(items)
        explanation = " ".join(lines[table_end:]).strip() or None
        vocabulary = sorted(set(compiled(RULES, "service_name").findall(explanation or "")))
        canonical = _snap(targets, vocabulary)
        answer_targets = lines[headers:table_end][1::2]
        assignment = _assign(answer_targets, targets, canonical)
        answer = [f"{label}={canonical[j]}" for (label, _item), j in zip(items, assignment)
                  if j is not None]
    if not items:
        flags.append("options_missing")
    if len(answer) != len(items):
        flags.append("matching_answer_incomplete")
    if len(set(answer)) != len(answer) or len({a.split("=", 1)[1] for a in answer}) != len(answer):
        flags.append("matching_answer_uncertain")
    return items, canonical, answer, explanation, flags


#: Up to this many rows, the best one-to-one pairing is found by trying every permutation.
EXACT_ASSIGNMENT_MAX = 7


def _assign(rows: list[str], targets: list[str], canonical: list[str]) -> list[int | None]:
    """Pair each answer-page row with a distinct target, maximizing total similarity.

    Rows are a permutation of the targets, each garbled its own way; a greedy pairing
    lets one bad guess steal another row's target, the best total pairing does not.
    """
    def key(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.lower())

    score = [[max(fuzz.ratio(key(row), key(raw)), fuzz.ratio(key(row), key(snapped)))
              for raw, snapped in zip(targets, canonical)] for row in rows]
    if not rows or len(rows) != len(targets):
        return [max(range(len(targets)), key=lambda j: s[j]) if targets else None for s in score]
    if len(rows) <= EXACT_ASSIGNMENT_MAX:
        from itertools import permutations

        best = max(permutations(range(len(targets))),
                   key=lambda perm: sum(score[i][j] for i, j in enumerate(perm)))
        return list(best)
    chosen: list[int | None] = [None] * len(rows)
    for _value, i, j in sorted(((score[i][j], i, j) for i in range(len(rows))
                                for j in range(len(targets))), reverse=True):
        if chosen[i] is None and j not in chosen:
            chosen[i] = j
    return chosen


def _snap(targets: list[str], vocabulary: list[str]) -> list[str]:
    """Replace each garbled target by the vocabulary term it resembles most (one-to-one)."""
    if not vocabulary:
        return list(targets)
    pairs = sorted(((fuzz.ratio(t.lower(), v.lower()), i, v) for i, t in enumerate(targets)
                    for v in vocabulary), reverse=True)
    snapped: dict[int, str] = {}
    used: set[str] = set()
    for score, index, term in pairs:
        if score < 40 or index in snapped or term in used:
            continue
        snapped[index] = term
        used.add(term)
    return [snapped.get(i, t) for i, t in enumerate(targets)]


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
        options = [(label, better_reading(text, reading.option_names.get(label, [])) or text)
                   for label, text in options]
    flags += option_reading.flags
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
        answer_signals={"stated": stated, "marked": marked, "complement": complement},
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
