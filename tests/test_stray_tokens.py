"""Slide icons the OCR read into body text (extract/stray_tokens.py): by shape at a
sentence boundary, list labels told apart by their sequence; on invented text and on the
real dev pairs (every removal must be one the gold removed, nothing on clean text)."""
from __future__ import annotations

import json

import pytest

from conftest import GOLD, needs_shared
from extract.stray_tokens import strip_icon_bullets


def _strip(text: str) -> tuple[str, list[str]]:
    (body,), (removed,) = strip_icon_bullets([text])
    return body, removed


@pytest.mark.parametrize("text, body, removed", [
    # a digit, a capital, a bracket, round-glyph letters after a sentence end
    ("모델을 만듭니다. 0 훈련은 깁니다.", "모델을 만듭니다. 훈련은 깁니다.", ["0"]),
    ("값을 씁니다. F 비용: 낮습니다.", "값을 씁니다. 비용: 낮습니다.", ["F"]),
    ("끝납니다. ) SageMaker 작업입니다.", "끝납니다. SageMaker 작업입니다.", [")"]),
    ("걸립니다. CO 신경망: 깊습니다.", "걸립니다. 신경망: 깊습니다.", ["CO"]),
    # an icon with a symbol speckle, and a sentence ending without its period
    ("확장해야 합니다 6 > 비용: 큽니다.", "확장해야 합니다 비용: 큽니다.", ["6", ">"]),
    # at the start of the unit
    ("3 AnyCompany는 회사입니다.", "AnyCompany는 회사입니다.", ["3"]),
    # numbers that run backwards are no list
    ("시작합니다. 7 배포합니다. 6 검증합니다.", "시작합니다. 배포합니다. 검증합니다.", ["7", "6"]),
])
def test_icons_go(text, body, removed):
    assert _strip(text) == (body, removed)


@pytest.mark.parametrize("text", [
    "역할을 정합니다. 2 기준을 정합니다. 3 작업을 예약합니다. 4 CloudWatch와 통합합니다.",
    "B 질문에 답합니다. 적합합니다 D 코드를 씁니다. E 글을 씁니다.",   # a label lost (C)
    "준비합니다. 0 데이터를 모읍니다. 1 정리합니다.",                   # a list from 0
    "설명합니다. CD 파이프라인을 씁니다. ORC 형식을 읽습니다.",         # acronyms
    "있습니다. 20 개의 노드가 있습니다.",                             # a number
    "시나리오 1 대규모 모델과 C 시나리오의 비교",                       # not at a boundary
    "결과입니다. C",                                                   # a chart's label
])
def test_labels_numbers_and_words_stay(text):
    assert _strip(text) == (text, [])


def test_sequence_is_looked_for_across_the_unit():
    """A page's lines are one unit: an option label's neighbours may be on other lines."""
    lines = ["A 비용이 듭니다.", "다음과 같습니다. B 시간이 듭니다.", "C 둘 다 듭니다."]
    assert strip_icon_bullets(lines) == (lines, [[], [], []])
    assert strip_icon_bullets(lines[1:2]) == (["다음과 같습니다. 시간이 듭니다."], [["B"]])


@needs_shared
def test_dev_pairs_lose_only_what_the_gold_removed():
    from extract.clean import clean_lines

    pairs = [json.loads(line) for line in (GOLD / "ocr_pairs_dev.jsonl").open(encoding="utf-8")]
    _, removed = clean_lines([pair["noisy"] for pair in pairs])
    icons = [(r.source_line, r.text) for r in removed if r.reason == "icon-bullet"]
    assert len(icons) >= 8
    for line, token in icons:
        assert token in pairs[line - 1]["removed"], (pairs[line - 1]["id"], token)
    _, removed = clean_lines([pair["clean"] for pair in pairs])
    assert [r for r in removed if r.reason == "icon-bullet"] == []


@needs_shared
def test_guide_knowledge_loses_icons_but_keeps_its_lists(guide_corpus, guide_pages):
    """The built guide: icons are audited removals of teaching pages; the numbered steps
    and lettered lists of its pages are still in the knowledge units."""
    from conftest import read_jsonl

    audit = read_jsonl(guide_corpus / "audit" / "furniture.jsonl")
    icons = [r for r in audit if r["reason"] == "icon-bullet"]
    assert len(icons) > 50 and all(r["text"] and " " not in r["text"] for r in icons)
    knowledge = " ".join(k["text"] for k in read_jsonl(guide_corpus / "knowledge.jsonl"))
    assert ". 2 " in knowledge and ". 3 " in knowledge
    before = sum(line.text.count(". CO ") for page in guide_pages for line in page.lines)
    assert before >= 5 and knowledge.count(". CO ") <= before // 5


def test_variable_letters_stay_between_korean_words_and_speckles_go():
    """``x 값``/``p 값`` name variables (the guide's regression page, the study guide's
    statistics list); ``e``/``om`` between Korean words are speckles."""
    from extract.stray_tokens import strip_stray_tokens

    kept = "추가 입력 x 값의 Y 값을 계산합니다"
    assert strip_stray_tokens(kept) == (kept, [])
    assert strip_stray_tokens("요약 통계, p 값 클러스터") == ("요약 통계, p 값 클러스터", [])
    assert strip_stray_tokens("간소화합니다 e 이러한 이점") == ("간소화합니다 이러한 이점", ["e"])


@needs_shared
def test_clean_study_guide_keeps_its_variables():
    """Already-clean Korean prose keeps every lone variable letter through ``qbank clean``."""
    from extract.clean import clean_lines

    text = (GOLD.parent / "data" / "mls-guide-with-questions.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if " p 값" in line]
    assert lines
    cleaned, _ = clean_lines(lines)
    assert all(" p 값" in line for line in cleaned)


def test_watermark_tail_goes_with_its_short_pieces_and_stops_at_a_word():
    """The page watermark glued to a paragraph's end: its short pieces go with the
    strong-debris token that ends the line; a word or an acronym ends the run."""
    from extract.stray_tokens import strip_stray_tokens

    assert strip_stray_tokens("습득해야 합니다. N gman' 8 Ssleeeee1@") == (
        "습득해야 합니다.", ["N", "gman'", "8", "Ssleeeee1@"])
    assert strip_stray_tokens("알아보았습니다. 9 NO 틈 8 SSleeeeer")[0] == "알아보았습니다."
    assert strip_stray_tokens("AWS CLI 2 EC2 SSleeeee") == ("AWS CLI 2 EC2", ["SSleeeee"])
    assert strip_stray_tokens("수 있습니다. 이 N 틈 8 SSleeeee1@")[0] == "수 있습니다. 이"
    # the logo read as a lone syllable right after the last sentence, one piece before the email
    assert strip_stray_tokens("단계입니다. 틈 DO SSleeeee1@") == ("단계입니다.", ["틈", "DO", "SSleeeee1@"])
    assert strip_stray_tokens("않습니다. 앞 9 Ssleeeee1@")[0] == "않습니다."
    assert strip_stray_tokens("데이터 틈 DO SSleeeee1@")[0] == "데이터 틈"  # no sentence end: a word


def test_speckles_go_next_to_korean_but_words_and_names_stay():
    """Lower-case speckles between Korean words or before a Latin name go (``om``, ``eee``:
    the guide's slides); English words (``log``), variables and names (``iPhone``, ``eBay``,
    ``base64``) stay; case salad (``cOTi``) and an icon read with a stroke (``O_``) go."""
    from extract.stray_tokens import strip_stray_tokens

    assert strip_stray_tokens("증가 om ML 엔지니어") == ("증가 ML 엔지니어", ["om"])
    assert strip_stray_tokens("포함됩니다. eee 실시간으로") == ("포함됩니다. 실시간으로", ["eee"])
    for kept in ("로그 log 변환", "Bag of Words(CBOW)와 같은", "아이폰 iPhone 사용",
                 "데이터를 base64 인코딩", "eBay 사례", "iPad 앱"):
        assert strip_stray_tokens(kept) == (kept, [])
    assert strip_stray_tokens("각 오답: cOTi A: 포괄적") == ("각 오답: A: 포괄적", ["cOTi"])
    assert strip_stray_tokens("O_ SageMaker Model Monitor에서") == ("SageMaker Model Monitor에서", ["O_"])


def test_arrows_stay_and_debris_at_a_line_edge_goes():
    """Arrows mean something (the study guide's ``↓ Mac용``; the OCR never makes one);
    letters-digits-letters debris goes at a line's edge beside Korean, code stays."""
    from extract.stray_tokens import strip_stray_tokens

    assert strip_stray_tokens("다운로드 ↓ Mac용 다운로드") == ("다운로드 ↓ Mac용 다운로드", [])
    assert strip_stray_tokens("ML 솔루션 구축 an5eraaf") == ("ML 솔루션 구축", ["an5eraaf"])
    assert strip_stray_tokens("모델 sha256") == ("모델 sha256", [])
