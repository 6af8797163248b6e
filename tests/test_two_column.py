"""Two-column knowledge checks put back in reading order (issue 13).

Synthetic: a clean stem and its options laid out as a two-column slide, read row by row
two different ways (as the question page and the answer page are), must come back in
order. Real: the guide's two-column pages against the dev gold, and its plain pages left
to their own lines.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from conftest import read_jsonl
from extract.guide_pages import split_wrong_answers
from extract.readings import merge_readings
from extract.explanation_lines import restore_line_order
from extract.option_names import better_reading, name_similarity
from extract.two_column import HEADER, deinterleave

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "../shared/tools"))

#: Invented questions (not from any real file): stem, options, the answer's index.
QUESTIONS = [
    ("한 소매 기업에서 고객 이탈을 예측하는 모델을 만들고 있습니다. 경영진은 예측의 근거를 "
     "직접 확인할 수 있어야 합니다. 이 상황에 가장 알맞은 모델은 무엇입니까?",
     ["심층 신경망", "결정 트리", "주성분 분석", "K-평균 군집화"], 1),
    ("데이터 엔지니어가 매일 들어오는 로그 파일을 정리한 뒤 학습 데이터로 저장하려고 합니다. "
     "이 작업을 자동으로 반복하는 데 가장 알맞은 서비스는 무엇입니까?",
     ["Amazon SageMaker Pipelines", "AWS Lambda 함수", "수동 스크립트 실행", "Amazon EC2 인스턴스"], 0),
    ("연구 팀이 훈련 도중 검증 손실이 더 이상 줄지 않으면 학습을 멈추려고 합니다. "
     "이 팀이 사용해야 하는 기법은 무엇입니까?",
     ["데이터 증강", "조기 중지", "배치 정규화", "학습률 예열", "가중치 감쇠"], 1),
]


def two_column_rows(stem: str, options: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """Rows of the slide: (left, right). The stem wraps over the left column; the right
    column holds the header, then one option per row; options that do not fit beside the
    stem fill rows after it."""
    words = stem.split()
    rows: list[tuple[str, str]] = []
    cursor = 0
    right = [HEADER] + options
    while cursor < len(words):
        width = rng.randint(3, 5)
        rows.append((" ".join(words[cursor: cursor + width]), right[len(rows)] if len(rows) < len(right) else ""))
        cursor += width
    rows += [("", text) for text in right[len(rows):]]
    return rows


def read_rows(rows: list[tuple[str, str]], swapped: set[int], mark_before: str | None) -> tuple[list[str], int | None]:
    """One OCR reading: row by row, left then right (right then left on ``swapped`` rows:
    a baseline a little higher), the correctness mark before the answer's text."""
    tokens: list[str] = []
    mark_at = None
    for index, (left, right) in enumerate(rows):
        parts = [right, left] if index in swapped else [left, right]
        for part in parts:
            if part == mark_before and part:
                mark_at = len(tokens)
            tokens += part.split()
    return tokens, mark_at


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("question", range(len(QUESTIONS)))
def test_synthetic_two_readings_come_back_in_order(question, seed):
    stem, options, answer = QUESTIONS[question]
    rng = random.Random(seed * 31 + question)
    rows = two_column_rows(stem, options, rng)
    labels = [chr(65 + i) for i in range(len(options))]
    # the question page reads every row left to right; the answer page reads some rows
    # the other way round and marks the answer
    stem_rows = [i for i, (left, right) in enumerate(rows) if left and right and right != HEADER]
    swapped = set(rng.sample(stem_rows, k=min(2, len(stem_rows))))
    readings = {"question": read_rows(rows, set(), None),
                "answer": read_rows(rows, swapped, options[answer])}
    assert readings["question"][0] != readings["answer"][0]  # two different shuffles
    # the rationales name the wrong options, the statement names the right one
    names = {label: [text] for label, text in zip(labels, options)}
    result = deinterleave(readings, labels, names, labels[answer])
    assert [text for _, text in result.options] == options
    assert result.stem == stem
    assert not result.uncertain


def test_synthetic_unnamed_option_is_found_and_flagged():
    """An option no rationale names is still cut out of the stem, as a doubt."""
    stem, options, answer = QUESTIONS[0]
    rows = two_column_rows(stem, options, random.Random(3))
    labels = list("ABCD")
    names = {label: [text] for label, text in zip(labels, options) if label != "C"}
    result = deinterleave({"question": read_rows(rows, set(), None)}, labels, names, "B")
    assert [text for _, text in result.options] == options
    assert result.stem == stem
    assert result.uncertain


def test_name_similarity_prefers_the_whole_option_to_a_word_of_it():
    assert name_similarity("CPU 훈련 인스턴스", "CPU 인스턴스") > name_similarity("인스턴스", "CPU 인스턴스")
    assert name_similarity("로지스딕 회기", "로지스틱 회귀") > 0.6


def test_better_reading_replaces_only_the_same_words():
    assert better_reading("이진 분규", ["이진 분류"]) == "이진 분류"
    assert better_reading("순한 신경망", ["심층 신경망"]) is None  # another word, not a misreading
    assert better_reading("CPU 훈련 인스턴스", ["CPU 인스턴스"]) is None  # an abbreviation


def test_line_moved_before_the_explanation_goes_back():
    # the second line read first; the first line stops mid-sentence: it goes to the end
    text, move = restore_line_order("분류에 적합합니다. 이 모델은 해석하기 쉽습니다.",
                                    "설명: 결정 트리는 규칙이 드러나므로 이진")
    assert text == "설명: 결정 트리는 규칙이 드러나므로 이진 분류에 적합합니다. 이 모델은 해석하기 쉽습니다."
    assert move["to"] == "end"
    # the text goes on after the first line: the moved line goes where the first line
    # is as wide as it
    first = "설명: 조기 중지는 훈련 중에 검증 세트에서 모델의 검증 손실을 계속"
    moved = "지켜보다가 개선이 멈추면 훈련을 끝내는 기법입니다. 이 기법을 쓰면"
    rest = "시간을 줄이고 과대적합을 막을 수 있습니다."
    text, move = restore_line_order(moved, f"{first} {rest}")
    assert text == f"{first} {moved} {rest}"
    assert move["after"] == "계속"
    # one word before the marker is not a line
    assert restore_line_order("0", "설명: 문장입니다.") == ("0 설명: 문장입니다.", None)


def test_wrong_answer_read_before_its_marker_is_a_rationale():
    section = ("정답은 C 결정 트리입니다. 설명: 규칙이 드러나는 모델입니다.\n"
               "A. 심층 신경망은 해석하기 어렵습니다. 오답: B 주성분 분석은 차원 축소 기법입니다.")
    correct, wrong = split_wrong_answers(section, ["C"])
    assert "심층 신경망" not in correct and correct.rstrip().endswith("모델입니다.")
    assert wrong.lstrip().startswith("A. 심층 신경망은") and "오답" not in wrong
    # the stated answer's own label stays in the explanation
    correct, _ = split_wrong_answers("정답은 다음과 같습니다. C: 결정 트리는 쉽습니다. 오답: A 느립니다.", ["C"])
    assert "C: 결정 트리는" in correct


def test_readings_merge_word_by_word():
    # each print garbles its own word
    merged, choices = merge_readings("이 연구 팀이 훈련 도중 사용해야 하논 기법은 무엇입니까?",
                                     "이 연구 팀이 훈련 도중 사용해야 하는 기범은 무엇입니까?")
    assert merged == "이 연구 팀이 훈련 도중 사용해야 하는 기법은 무엇입니까?"
    assert [c.rejected for c in choices] == ["하논"]
    # readings that do not align are left alone
    assert merge_readings("가나 다라 마바", "전혀 다른 문장 이다 정말로")[0] == "가나 다라 마바"


# ------------------------------------------------------------------ the real guide
def test_real_two_column_questions_against_dev_gold(guide_corpus, gold_questions):
    from evaluate import option_similarity, similarity
    from rapidfuzz import fuzz

    questions = {(q["module"], q["number"]): q for q in read_jsonl(guide_corpus / "questions.jsonl")}
    two_column = [g for g in gold_questions
                  if "options_interleaved" in questions[(g["module"], g["number"])]["flags"]]
    assert len(two_column) >= 4
    for gold in two_column:
        q = questions[(gold["module"], gold["number"])]
        # options come out in page order: each gold option is most like the one at its place
        got = [o["text"] for o in q["options"]]
        for index, text in enumerate(gold["options"]):
            best = max(range(len(got)), key=lambda i: fuzz.ratio(got[i], text))
            assert best == index, (q["id"], index, got)
        assert option_similarity(q, gold["options"]) >= 0.5, q["id"]
        # no option text is left inside the stem
        for option in got:
            if len(option) >= 4:
                assert option not in q["stem"], (q["id"], option)
        assert similarity(q["stem"], gold["stem"]) >= 0.75, q["id"]
        assert similarity(q["explanation"], gold["explanation"]) >= 0.8, q["id"]


def test_real_reordering_is_audited(guide_corpus):
    audit = read_jsonl(guide_corpus / "audit" / "reading_order.jsonl")
    by_id = {a["id"]: a for a in audit}
    questions = read_jsonl(guide_corpus / "questions.jsonl")
    for q in questions:
        entry = by_id.get(q["id"])
        if "options_interleaved" in q["flags"] and q["kind"] != "matching":
            assert entry and "two_column" in entry, q["id"]
            runs = entry["two_column"]["runs"]
            assert [r["label"] for r in runs] == sorted(r["label"] for r in runs)
        elif entry:
            assert "two_column" not in entry, q["id"]  # plain pages are not de-interleaved


def test_real_plain_pages_keep_their_option_lines(guide_corpus, guide_pages, guide_structure):
    """A plain page's options are its own lines (or the answer page's name for them)."""
    from rapidfuzz import fuzz

    from extract.guide_pages import classify_pages, read_answer_page, read_question_page

    found = classify_pages(guide_pages, guide_structure)
    questions = {(q["module"], q["number"]): q for q in read_jsonl(guide_corpus / "questions.jsonl")}
    checked = 0
    for index, page in enumerate(found):
        q = questions.get((page.structure.module, page.number))
        if page.is_answer or q is None or "options_interleaved" in q["flags"] or q["kind"] == "matching":
            continue
        lines = read_question_page(page).option_lines
        answer = next((a for a in found[index + 1: index + 4] if a.is_answer and a.number == page.number), None)
        names = [n for ns in read_answer_page(answer).option_names.values() for n in ns] if answer else []
        for option in q["options"]:
            assert max(fuzz.ratio(option["text"], t) for t in lines + names) >= 60, (q["id"], option)
        checked += 1
    assert checked >= 8


def test_rationale_calling_another_option_by_its_label_is_a_doubt_not_a_reorder():
    from extract.guide_options import label_disagreements

    options = [("A", "결정 트리"), ("B", "심층 신경망"), ("C", "주성분 분석")]
    # the rationales call the page's B "C" and its C "B"
    names = {"B": ["주성분 분석"], "C": ["심층 신경망"], "A": ["결정 트리"]}
    assert label_disagreements(options, names) == ["B=C", "C=B"]
    assert label_disagreements(options, {"A": ["결정 트리"], "B": ["심층 신경망"]}) == []


def test_words_borrowed_from_the_answer_page_only_where_misread():
    from extract.readings import borrow_words

    prose = set("손실 함수는 예측과 실제 값의 차이를 계산하는 데 사용됩니다".split())
    text, choices = borrow_words("모델 평가에서 손실 합수는 어떤 용도로 사용됩니까?", prose)
    assert text == "모델 평가에서 손실 함수는 어떤 용도로 사용됩니까?"
    assert [(c.rejected, c.kept) for c in choices] == [("합수는", "함수는")]
    # another form of a word is not a misreading of it
    assert borrow_words("값을 계산하여 사용하는 방법", prose)[0] == "값을 계산하여 사용하는 방법"


def test_name_cut_inside_a_bracket_keeps_the_options_bracket():
    assert better_reading("강화 C습(RL)", ["강화 학습(R니"]) == "강화 학습(RL)"


def test_last_line_read_into_the_line_above_goes_back_to_the_end():
    from extract.explanation_lines import complete_last_sentence

    text, move = complete_last_sentence(
        "결정 트리는 규칙을 보여 주는 모델입니다. 이 분류에 적합합니다. 모델은 예측의 근거를 설명할 수 있으므로 이진")
    assert text == "결정 트리는 규칙을 보여 주는 모델입니다. 이 모델은 예측의 근거를 설명할 수 있으므로 이진 분류에 적합합니다."
    assert move["moved"] == "분류에 적합합니다."
    # a text that ends its sentence, or whose rest is a rationale (a label), stays
    done = "결정 트리는 규칙을 보여 주는 모델입니다."
    assert complete_last_sentence(done) == (done, None)
    labelled = "모델입니다. 이 분류에 적합합니다. B 주성분 분석은 차원을 줄이는"
    assert complete_last_sentence(labelled) == (labelled, None)


def test_word_choice_across_readings():
    from extract.readings import choose_words

    # a digit read into a word loses to the reading with a syllable there
    assert choose_words(["ML8", "데이터", "처리"], [(0, "ML용")])[0] == "ML용 데이터 처리"
    # a shorter word is not a reading of a longer one
    assert choose_words(["모델", "배포", "전략"], [(2, "전")])[0] == "모델 배포 전략"
