"""Knowledge checks of the real guide: all 28, exact on the dev gold."""
from __future__ import annotations

from collections import Counter

from conftest import read_jsonl
from extract.guide_options import option_count_from_labels
from extract.guide_pages import option_name, stated_letters
from extract.guide_questions import resolve_answer


def test_all_28_knowledge_checks_have_answer_and_explanation(guide_corpus):
    questions = read_jsonl(guide_corpus / "questions.jsonl")
    assert len(questions) == 28
    per_module = Counter(q["module"] for q in questions)
    assert sum(per_module.values()) == 28 and len(per_module) == 9
    for q in questions:
        assert q["answer"], q["id"]
        assert q["explanation"], q["id"]
        assert len(q["source"]["pages"]) == 2 and q["source"]["pages"][1] == q["source"]["pages"][0] + 1
        labels = [o["label"] for o in q["options"]]
        assert labels == [chr(ord("A") + i) for i in range(len(labels))]
        if q["kind"] != "matching":
            assert set(q["answer"]) <= set(labels), q["id"]


def test_dev_gold_exact(guide_corpus, gold_questions):
    by_key = {(q["module"], q["number"]): q for q in read_jsonl(guide_corpus / "questions.jsonl")}
    for gold in gold_questions:
        q = by_key[(gold["module"], gold["number"])]
        assert sorted(q["answer"]) == sorted(gold["answer"]), q["id"]
        assert len(q["options"]) == len(gold["options"]), q["id"]
        assert q["kind"] == gold["kind"], q["id"]
        assert q["source"]["pages"] == [gold["question_page"], gold["answer_page"]]


def test_matching_question_shape(guide_corpus):
    matching = [q for q in read_jsonl(guide_corpus / "questions.jsonl") if q["kind"] == "matching"]
    assert matching
    for q in matching:
        assert len(q["match_targets"]) == len(q["options"])
        targets = [a.split("=", 1)[1] for a in q["answer"]]
        assert sorted(targets) == sorted(q["match_targets"])  # a one-to-one pairing


def test_interleaved_questions_are_flagged(guide_corpus):
    flagged = [q for q in read_jsonl(guide_corpus / "questions.jsonl") if "options_interleaved" in q["flags"]]
    assert flagged
    for q in flagged:
        # what could not be recovered is said, never silently left empty
        if any(not o["text"] for o in q["options"]):
            assert "option_text_missing" in q["flags"]


def test_stated_letters_read_ocr_shapes():
    assert stated_letters("정답은 B,D, [입니다.") == ["B", "D"]
    assert stated_letters("정답은 C 강화 학습(R니입니다.") == ["C"]
    assert stated_letters("B: 정답은 다음과 같습니다. 식별합니다") == ["B"]
    assert stated_letters("정답은 다음과 갇습니다. 이 오차가 ... A: 손실 함수는 ... 오답은 다음과 같습니다. B: x") == ["A"]
    assert stated_letters("정답은 AWS KMS입니다") == []


def test_vote_overrules_one_misread_statement():
    # "정답: C" and "정답은 D" disagree; the mark and the 오답 complement side with C
    answer, flags = resolve_answer(["C", "D"], ["C"], ["C"], 1, list("ABCD"))
    assert answer == ["C"] and "answer_signals_conflict" in flags
    # multi-select with one letter lost by OCR ("정답은 B,D, [") is completed by the others
    answer, flags = resolve_answer(["B", "D"], ["B", "D", "E"], ["B", "D", "E"], 3, list("ABCDEF"))
    assert answer == ["B", "D", "E"] and not flags
    assert resolve_answer([], [], [], 1, list("ABCD")) == ([], ["answer_missing"])


def test_option_count_tolerates_one_mangled_label():
    assert option_count_from_labels({"A", "C", "D"}) == 4          # B unlabelled
    assert option_count_from_labels({"A", "C", "D", "F"}) == 4     # 'F (오답)' is a misread B
    assert option_count_from_labels(set("ABCDEF")) == 6


def test_option_name_from_rationale():
    assert option_name("DeepAR은 실시간 이상 탐지용이 아닌") == "DeepAR"
    assert option_name("지식 기반 질문에 답변: LLM은 대량의") == "지식 기반 질문에 답변"
    assert option_name("심층 신경망은 복잡하다") == "심층 신경망"
