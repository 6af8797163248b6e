"""Korean OCR correction: the confusion table, never-touch cases, audit, real dev pairs."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from conftest import GOLD, needs_shared, read_jsonl
from extract.clean import clean_lines
from extract.hangul import jamo
from extract.ocr_correct import domain_lexicon, get_corrector
from extract.rules import load_rules


@pytest.fixture(scope="module")
def corrector():
    return get_corrector()


def test_confusion_table_is_well_formed():
    table = load_rules("ocr_ko")
    assert table["typos"]
    for correct, readings, cost in table["typos"]:
        assert correct and readings and cost > 0
        assert all(isinstance(x, str) and x for x in correct + readings)
        assert not set(correct) & set(readings), correct  # a form never "corrects" to itself
    for rule in table["rules"]:
        re.compile(rule["pattern"])
        assert sum(k in rule for k in ("replace", "jamo_final", "harmony")) == 1, rule


def test_domain_lexicon_is_well_formed():
    words = domain_lexicon()
    assert len(words) > 300
    # one whitespace token of Hangul syllables per entry (snapping works word by word)
    assert all(re.fullmatch(r"[\uac00-\ud7a3]{2,}", w) for w in words), \
        [w for w in words if not re.fullmatch(r"[\uac00-\ud7a3]{2,}", w)]
    groups = load_rules("domain_ko")["terms"]
    flat = [w for group in groups.values() for w in group]
    assert len(flat) == len(set(flat)), "a term is listed twice"


def test_jamo_keeps_positions():
    assert jamo("섹션") == ("iㅅ", "vㅔ", "fㄱ", "iㅅ", "vㅕ", "fㄴ")
    # an initial ㅇ and a final ㅇ are different letters
    assert jamo("앙")[0] != jamo("앙")[2]


@pytest.fixture(scope="module")
def snapper(corrector):
    return corrector.snapper


@pytest.mark.parametrize("garbled, word", [
    ("아퀴택처", "아키텍처"),      # ㅟ/ㅣ and ㅐ/ㅔ look alike
    ("시물레이선", "시뮬레이션"),  # ㅜ/ㅠ, ㅓ/ㅕ
    ("글러스터림", "클러스터링"),  # ㄱ/ㅋ initial, ㅁ/ㅇ final
    ("인스템스", "인스턴스"),
    ("하이퍼번드", "하이퍼밴드"),
    ("괜덤", "랜덤"),              # two syllables: look-alike edits only
])
def test_snaps_garbled_domain_words(snapper, garbled, word):
    found = snapper.snap(garbled)
    assert found is not None and found[0] == word


@pytest.mark.parametrize("word", [
    "저럼",      # two syllables needing a substitution outside the look-alike groups
    "사과나무",  # nothing in the lexicon is near
    "아키텍처",  # already a lexicon word
    "모델a",     # not all Hangul
])
def test_does_not_snap(snapper, word):
    assert snapper.snap(word) is None


def test_short_unknown_words_may_take_one_other_substitution(snapper):
    """A two-syllable word kiwi reads as no word at all may snap through one substitution
    outside the look-alike groups (ㄴ read as ㄷ), never two; a short word it reads as known
    pieces stays look-alike only."""
    assert snapper.snap("투딩", unknown=True)[0] == "튜닝"   # ㅠ/ㅜ look alike, ㄴ/ㄷ do not
    assert snapper.snap("투딩") is None
    assert snapper.snap("휴싱", unknown=True) is None        # 튜닝 is two (ㅎ/ㅌ, ㅅ/ㄴ) away


def test_a_misread_particle_beats_a_snap(corrector):
    """예름 is 예를 with 를 read as 름 (the typo layer's reading), not the noun 요금 one
    substitution away."""
    assert corrector.correct("예름 들어 모델을 씁니다")[0] == "예를 들어 모델을 씁니다"


def test_look_alikes_are_lexicon_words_one_look_alike_jamo_away(snapper):
    assert snapper.look_alikes("전락") == ("전략",)      # ㅑ read as ㅏ
    assert "탐지" in snapper.look_alikes("담지")         # ㅌ read as ㄷ
    assert snapper.look_alikes("전략") == ()             # a lexicon word has none
    assert snapper.look_alikes("사과") == ()


@pytest.mark.parametrize("noisy, clean", [
    ("있습니다. 이러한 전락은 새 모델을 배포합니다.", "있습니다. 이러한 전략은 새 모델을 배포합니다."),
    ("가중치 손신 합수 등의 개념을", "가중치 손실 함수 등의 개념을"),
    ("사기 거래를 담지하려고 합니다.", "사기 거래를 탐지하려고 합니다."),
])
def test_real_words_the_sentence_rejects_become_the_domain_word(corrector, noisy, clean):
    """Real words the OCR made of domain words (전략 read as 전락, a fall; 함수 as 합수; 탐지
    as 담지), in sentences of the guide."""
    text, edits = corrector.correct(noisy)
    assert text == clean
    assert "real-word" in [e.reason for e in edits]


@pytest.mark.parametrize("noisy, clean", [
    ("제공합니다. 각 카데고리는 다른 특성을 가집니다.", "제공합니다. 각 카테고리는 다른 특성을 가집니다."),
    ("배포에 대해 습라이드의 다이어그램에는 다음이 있습니다.", "배포에 대해 슬라이드의 다이어그램에는 다음이 있습니다."),
])
def test_garbled_common_nouns_snap_where_the_sentence_says_so(corrector, noisy, clean):
    """Words outside the domain lexicon (카테고리, 슬라이드: the guide's own sentences) snap
    onto wordfreq's common nouns; a scrap with no sentence around it stays."""
    text, edits = corrector.correct(noisy)
    assert text == clean
    assert [e.reason for e in edits] == ["common-snap"]
    assert corrector.correct("형픔") == ("형픔", [])


@pytest.mark.parametrize("noisy, clean", [
    ("새 도데인 이름을 등록했습니다.", "새 도메인 이름을 등록했습니다."),
    ("배포 파이프리인 단계를 자동화합니다.", "배포 파이프라인 단계를 자동화합니다."),
    ("지금 개발 종인 기능입니다.", "지금 개발 종인 기능입니다."),  # a one-syllable stem: 중인?
    ("이 모델인 경우에는 다릅니다.", "이 모델인 경우에는 다릅니다."),  # a known stem + copula
])
def test_a_loanword_read_as_noun_and_copula_snaps_whole(corrector, noisy, clean):
    """Kiwi reads a garbled loanword ending in 인 as an unknown noun + the copula (도데 + 이
    + ㄴ): the whole word competes in the lexicons (COPULA_READS in extract/stem_snaps.py).
    The sentences are this test's own."""
    assert corrector.correct(noisy)[0] == clean


@pytest.mark.parametrize("noisy, clean", [
    ("새 스키마을 정의합니다.", "새 스키마를 정의합니다."),
    ("이 모델를 배포합니다.", "이 모델을 배포합니다."),
    ("워크플로은 간단합니다.", "워크플로는 간단합니다."),
    ("시골마을 사람들이 모였습니다.", "시골마을 사람들이 모였습니다."),  # 마을, a village
    ("집을 지을 것입니다.", "집을 지을 것입니다."),  # 짓다: a verb, one-syllable stem
    ("이 방법이 더 나을 것입니다.", "이 방법이 더 나을 것입니다."),
])
def test_the_particle_agrees_with_the_noun(corrector, noisy, clean):
    """을/를 and 은/는 follow the noun's last syllable (open: 를, 는; closed: 을): the OCR
    reads one for the other, and the typo layer writes kiwi's particle whatever the noun.
    Verbs and words that end so stay. The sentences are this test's own."""
    text, edits = corrector.correct(noisy)
    assert text == clean
    assert all(e.reason == "particle-allomorph" for e in edits)


def test_a_garbled_noun_takes_the_noun_its_document_prints(corrector):
    """A stem kiwi reads as no word, that no lexicon places, snaps onto a noun the same
    call prints three times (extract/document_words.py); printed twice, or in a call of
    its own, it stays. The sentences are this test's own: the guide's own cases are
    checked on its build below."""
    printed = ["이번 시험은 어렵습니다.", "시험 준비를 합니다.", "시험 결과를 확인합니다."]
    garbled = "다음 시협 일정을 확인합니다."
    text, edits = corrector.correct_many(printed + [garbled])[-1]
    assert text == "다음 시험 일정을 확인합니다."
    assert [(e.before, e.after, e.reason) for e in edits] == [("시협", "시험", "document-snap")]
    assert corrector.correct_many(printed[:2] + [garbled])[-1] == (garbled, [])
    assert corrector.correct(garbled) == (garbled, [])
    # a word kiwi knows is no garbled noun, however near the printed one
    assert corrector.correct_many(printed + ["다음 시합 일정을 확인합니다."])[-1] == (
        "다음 시합 일정을 확인합니다.", [])


@needs_shared
def test_document_snaps_in_the_guide_replace_unknown_stems_by_printed_nouns(guide_corpus, corrector):
    """In the guide's build, each document snap replaced a stem kiwi does not know by a
    noun the guide prints, as printed, in at least three other places."""
    from extract.document_words import MIN_COUNT

    records = read_jsonl(guide_corpus / "questions.jsonl") + read_jsonl(guide_corpus / "knowledge.jsonl")
    snaps = [e for row in read_jsonl(guide_corpus / "audit" / "ocr_corrections.jsonl")
             for e in row["edits"] if e["reason"] == "document-snap"]
    assert len(snaps) >= 10
    words = Counter(w for r in records for f in ("stem", "explanation", "text", "title")
                    for w in re.findall(r"[가-힣]+", r.get(f) or ""))
    for edit in snaps:
        before, after = edit["before"], edit["after"]
        noun = next(t for t in corrector.kiwi.tokenize(after) if t.tag in ("NNG", "NNP"))
        garbled = before[noun.start:noun.start + noun.len]  # a snap keeps the syllable count
        assert len(noun.form) >= 2 and garbled != noun.form, edit
        assert not corrector._is_known(garbled), edit
        assert sum(n for w, n in words.items() if w.startswith(noun.form)) >= MIN_COUNT, edit


def test_general_lexicon_is_well_formed():
    from extract.rules import load_rules

    words = load_rules("general_ko")["words"]
    assert len(words) == len(set(words)) >= 5000
    assert all(len(w) >= 2 and all("가" <= c <= "힣" for c in w) for w in words)


@pytest.mark.parametrize("text", [
    "서수 인코딩 또는 정수 인코딩을 사용하여 숫자로 인코딩할 수 있습니다.",  # 점수 is one jamo away
    "값의 규모를 고정 범위로 조정합니다.",                                 # 규정
    "AWS Cloud Quest를 시도해 볼 수 있습니다.",                             # 지도
    "나락으로 전락했다.",
])
def test_common_real_words_stay(corrector, text):
    assert corrector.correct(text)[0] == text


def test_snap_distance_prefers_look_alikes(snapper):
    near = snapper.distance(jamo("택"), jamo("텍"))   # ㅐ/ㅔ
    far = snapper.distance(jamo("택"), jamo("톡"))    # ㅐ/ㅗ
    assert 0 < near < far


@pytest.mark.parametrize("noisy, clean", [
    ("이 모델올 사용하면 특성의 중요도를 이해할 수 있습니다.", "이 모델을 사용하면 특성의 중요도를 이해할 수 있습니다."),
    ("대량의 데이터률 처리합니다", "대량의 데이터를 처리합니다"),
    ("이논 후속 혁신의 토대입니다", "이는 후속 혁신의 토대입니다"),
    ("통계적 예측 및 패련 인식", "통계적 예측 및 패턴 인식"),
    ("전체 위크플로를 관리합니다", "전체 워크플로를 관리합니다"),
    ("사용활 수 있습니다", "사용할 수 있습니다"),
    ("SageMaker 시틀 사용하는 경우", "SageMaker AI를 사용하는 경우"),
    ("Al 기술 간의 관계", "AI 기술 간의 관계"),
    ("인공지능/기계학습(시/ML) 솔루션", "인공지능/기계학습(AI/ML) 솔루션"),
    ("이 모듈에서 살펴움니다.", "이 모듈에서 살펴봅니다."),
    ("다음에 적합합나다.", "다음에 적합합니다."),
    ("여기서 살펴보켓습니다", "여기서 살펴보겠습니다"),
    ("이를 통해 제어함으로씨 보호합니다", "이를 통해 제어함으로써 보호합니다"),
    ("시물레이선 결과를 봅니다", "시뮬레이션 결과를 봅니다"),
    ("트래피올 이동합니다", "트래픽을 이동합니다"),
    ("음선이 있습니다", "옵션이 있습니다"),
    ("음선: 자동", "옵션: 자동"),                           # a colon makes kiwi read a name
    ("AWS(애플리켓이선 서비스)", "AWS(애플리케이션 서비스)"),  # the stem after a bracket
    ("문제를 파악햇습니다", "문제를 파악했습니다"),          # past-tense ㅆ read as ㅅ
    ("모두 테스트햇으므로 배포합니다", "모두 테스트했으므로 배포합니다"),
    ("조직에 벌금이 부과되 수 있습니다", "조직에 벌금이 부과될 수 있습니다"),  # -ㄹ before 수
])
def test_confusion_families_are_corrected(corrector, noisy, clean):
    assert corrector.correct(noisy)[0] == clean


@pytest.mark.parametrize("text", [
    "The model is deployed to an endpoint and monitored with CloudWatch.",
    "df.groupby('label').agg(count=('id', 'size'))",
    "자세한 내용은 https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html 을 참고하십시오.",
    "Amazon SageMaker Pipelines와 AWS CodePipeline을 함께 사용합니다.",
    "지연 시간은 100 ms 이하, 정확도는 20% 향상되었습니다.",
    "SageMaker Notebook을 사용합니다.",
    "설정 파일 config.yaml 을 수정합니다.",
    "효율적인 처리와 주기적인 감사가 필요합니다.",   # real words are never snapped
    "로드 밸런싱과 컴퓨팅 리소스를 사용합니다.",
    "데이터들을 학습용으로 나눕니다.",
    "사람들이 웃습니다. 손을 씻으며 옷을 벗으면",     # a final ㅅ that is one
])
def test_never_touched(corrector, text):
    assert corrector.correct(text) == (text, [])


def test_edits_are_auditable(corrector):
    noisy = "이 모델올 사용하면 데이터률 처리할 수 있습니다"
    fixed, edits = corrector.correct(noisy)
    assert edits and all(e.reason and e.cost > 0 for e in edits)
    rebuilt = noisy
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        assert rebuilt[edit.start: edit.start + len(edit.before)] == edit.before
        rebuilt = rebuilt[: edit.start] + edit.after + rebuilt[edit.start + len(edit.before):]
    assert rebuilt == fixed


def test_dev_pairs_improve_and_clean_text_is_kept(corrector):
    from rapidfuzz.distance import Levenshtein

    path = GOLD / "ocr_pairs_dev.jsonl"
    if not path.exists():
        pytest.skip("gold not found")
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

    def run(texts):
        cleaned, _ = clean_lines(texts)
        return [t for t, _ in corrector.correct_many(cleaned)]

    def norm(s):
        return " ".join(s.split())

    fixed, kept = run([p["noisy"] for p in pairs]), run([p["clean"] for p in pairs])
    before = sum(Levenshtein.distance(norm(p["noisy"]), norm(p["clean"])) for p in pairs)
    after = [Levenshtein.distance(norm(f), norm(p["clean"])) for f, p in zip(fixed, pairs)]
    assert all(a <= Levenshtein.distance(norm(p["noisy"]), norm(p["clean"]))
               for a, p in zip(after, pairs)), "a paragraph got worse"
    assert 1 - sum(after) / before >= 0.5
    harm = sum(Levenshtein.distance(norm(k), norm(p["clean"])) for k, p in zip(kept, pairs))
    assert harm / sum(len(norm(p["clean"])) for p in pairs) <= 0.001


def test_a_corrector_let_go_is_freed_with_its_model():
    """Nothing outside a corrector holds it once it is used and dropped: its word caches are
    its own (class-level caches were keyed by the instance, and a released corrector kept
    Kiwi's 300 MB to the end of every build). :func:`release_corrector` lets the
    process-wide one go; the next :func:`get_corrector` loads one that corrects as before."""
    import gc
    import weakref

    from extract.ocr_correct import KoreanCorrector, release_corrector

    # a real-word swap and a common-noun snap: both ask kiwi's cached score
    noisy = "이러한 전락은 새 모델올 배포합니다. 각 카데고리는 다른 특성을 가집니다."
    own = KoreanCorrector()
    fixed = own.correct(noisy)
    assert fixed == get_corrector().correct(noisy) and fixed[0] != noisy
    gone = weakref.ref(own)
    del own
    gc.collect()
    assert gone() is None
    release_corrector()
    assert get_corrector().correct(noisy) == fixed
