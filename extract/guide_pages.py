"""The two pages of a knowledge check read as the OCR printed them.

A knowledge check is two pages (INPUTS.md §1): ``N번 문제 <stem>`` with the options, then
``N번 문제 정답 ...`` repeating them, marking the right one, stating the answer, explaining
it and saying why the others are wrong (``오답: A ..., C ...``). This module finds the pages
and reads each: the question page's stem and option lines, the answer page's statement,
explanation (in reading order) and per-option rationales, and the names it gives options.

Every phrase and marker lives in ``data/guide_questions.json``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.answers import choose_phrase
from extract.furniture import CleanPage
from extract.rules import compiled, load_rules
from extract.structure import KNOWLEDGE_CHECK, PageStructure
from extract.explanation_lines import SENTENCE_END, complete_last_sentence, restore_line_order
from extract.two_column import HEADER, ICON_DEBRIS

RULES = "guide_questions"
LABELS = "ABCDEFGH"
#: Tokens a rationale may spend before naming its option (``A DeepAR은 ...``).
NAME_MAX_TOKENS = 6
_HAS_LETTERS = re.compile(r"[^\W\d_].*[^\W\d_]|[\uac00-\ud7a3]{2}")


# ------------------------------------------------------------------ small text helpers
def rules() -> dict:
    return load_rules(RULES)


def is_option_like(text: str) -> bool:
    """A line that can hold an option: at least two letters, not only a number or icon."""
    return bool(_HAS_LETTERS.search(text))


def strip_column_headers(text: str, mark: str = " ") -> str:
    """Remove slide column headers and icons (``보기 용답``, ``89``) wherever they sit, or
    replace them by ``mark`` (a two-column reading keeps where its header stood)."""
    return re.sub(r"\s+", " ", compiled(RULES, "column_header").sub(f" {mark} ", text)).strip()


def label_positions(text: str) -> list[tuple[str, int, int]]:
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
        if info.kind != KNOWLEDGE_CHECK or not page.lines:
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
    table = rules()
    stem_end = compiled(RULES, "stem_end")
    first = strip_column_headers(qpage.first_line)
    stem_parts = [first]
    options: list[str] = []
    for line in qpage.page.lines[1:]:
        text = strip_column_headers(line.text)
        if not is_option_like(text):
            continue
        if stem_end.search(text):
            stem_parts.append(text)  # e.g. "어떻게 대답하시겠습니까?" after the options
        elif len(text) >= table["note_min_chars"] or compiled(RULES, "note_pattern").search(text):
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
        if tail and is_option_like(tail) and not SENTENCE_END.search(tail):
            trailing = tail
            stem = " ".join([head] + stem_parts[1:])
    matching = bool(compiled(RULES, "matching_marker").search(stem))
    return QuestionLayout(stem.strip(), options, trailing if is_option_like(trailing) else "",
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
    #: the line two-column reading moved before the explanation, and where it went back
    explanation_moved: dict | None = None


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
    return [re.compile(p) for p in rules()[key]]


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
        labels = label_positions(window)
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
    labels_seen = (set(stated) | {label for label, _, _ in label_positions(section)}
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
    explanation, moved = _explanation(correct_part, stated)
    return AnswerReading(stated, stated_count(section), head, section, explanation,
                         wrong_labels, rationales, labels_seen, names, lines[index:] if index else lines[1:],
                         head_lines, option_names, moved)


def _segments_by_label(text: str) -> list[tuple[str, str]]:
    """Split text at label tokens: ``A DeepAR은 ... C Neural ...`` -> [(A, ...), (C, ...)]."""
    labels = label_positions(text)
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
            if name and is_option_like(name):
                names[letters[0]] = name
    return names


def option_name(segment: str) -> str:
    """The option a rationale segment names: up to a colon, or the first particle-ended word.

    ``지식 기반 질문에 답변: LLM은`` -> ``지식 기반 질문에 답변``; ``DeepAR은 실시간`` ->
    ``DeepAR``; ``심층 신경망은 복잡하다`` -> ``심층 신경망``.
    """
    # "B (오답) 이 답안은" / "B ( ) …": a mark before the name is not part of it
    segment = re.sub(r"^(?:\s*(?:\(\s*[오정성]\S?\s*\)|[^\w\s]+))+\s*", "", segment)
    tokens = segment.split()[:NAME_MAX_TOKENS + 2]
    for index, token in enumerate(tokens[: NAME_MAX_TOKENS + 2]):
        if token.endswith(":") and index < NAME_MAX_TOKENS + 2:
            return " ".join(tokens[:index] + [token[:-1]]).strip()
    particles = sorted(rules()["name_particles"], key=len, reverse=True)
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
        for label, start, _end in label_positions(section[:cut]):
            before = section[:start].rstrip()
            if label not in stated and (not before or SENTENCE_END.search(before)
                                        or _DEBRIS_TOKEN.search(before)):
                cut = start
                break
    wrong = marker.sub(" ", section[cut:])
    return section[:cut], wrong


#: A slide's icon read between two sentences (``0``, ``@``, ``CO``, ``CO%``).
_DEBRIS_TOKEN = re.compile(rf"(?:^|\s){ICON_DEBRIS}$")


def _explanation(correct_part: str, stated: list[str] | None = None) -> tuple[str | None, dict | None]:
    """Text between the answer statement and the wrong-answer section, labels and marks
    removed, in reading order (:func:`extract.explanation_lines.restore_line_order`: the line
    the two-column read put first is measured against the text as printed, statement
    included)."""
    text = re.sub(r"\s+", " ", correct_part).strip()
    start = _explanation_start(text, stated or [])
    moved = None
    if start:
        text, moved = restore_line_order(_without_statements(text[:start]), text[start:])
    text = _without_statements(text)
    if moved is None:
        text, moved = complete_last_sentence(text)
    text = compiled(RULES, "explanation_marker").sub(" ", text)
    text = compiled(RULES, "correct_mark").sub(" ", text)
    if stated and len(stated) == 1:
        # "A: 손실 함수는 …": the single answer's label opens the explanation
        text = re.sub(rf"^\s*{stated[0]}\s*[:.;]?\s+", "", text.strip())
    text = re.sub(r"^[\s.:;,]+", "", re.sub(r"\s+", " ", text)).strip()
    return text or None, moved


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
    for label, start, _end in label_positions(text):
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
