"""Issue 17: tags, exam domains and related knowledge units (qbank/enrich.py and
extract/tags.py, extract/domains.py, extract/related.py), on small made-up records; the
real-data figures are in tests/test_enrich_dev.py."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO, SAMPLES, read_jsonl


@pytest.fixture(scope="module")
def tagger():
    from extract.tags import get_tagger

    return get_tagger()


def found(tagger, text: str) -> set[str]:
    return set(tagger.mentions(text))


# -- tags -----------------------------------------------------------------------------------

def test_english_names_and_concepts(tagger):
    text = ("Use SageMaker Model Monitor to detect data drift, and tune hyperparameters with "
            "Amazon SageMaker Automatic Model Tuning. The F1 score and confusion matrix are reported.")
    assert {"Amazon SageMaker Model Monitor", "data drift", "hyperparameter tuning",
            "Amazon SageMaker Automatic Model Tuning", "F1 score", "confusion matrix"} <= found(tagger, text)
    # the longest name wins: the feature, not also the platform
    assert "Amazon SageMaker" not in found(tagger, "SageMaker Model Monitor")


def test_korean_spacing_particles_and_word_starts(tagger):
    assert {"hyperparameter tuning", "confusion matrix"} <= found(tagger, "하이퍼파라미터튜닝을 하고 혼동 행렬을 봅니다")
    assert "hyperparameter tuning" in found(tagger, "하이퍼 파라미터 튜닝")
    # a term only where a word starts: 정밀도 (precision) is not in 측정 밀도, 지도 학습 not in 비지도 학습
    assert "precision" not in found(tagger, "측정 밀도")
    assert found(tagger, "비지도 학습으로 군집을 찾습니다") == {"unsupervised learning", "clustering"}
    # Latin names inside Korean text
    assert "Amazon SageMaker Clarify" in found(tagger, "SageMaker Clarify를 사용하여 편향을 감지합니다")


def test_japanese_characters_and_long_vowel_marks(tagger):
    assert "hyperparameter tuning" in found(tagger, "ハイパーパラメーターの調整")
    assert "hyperparameter tuning" in found(tagger, "ﾊｲﾊﾟｰﾊﾟﾗﾒｰﾀ")  # half-width katakana
    assert {"overfitting", "Amazon SageMaker"} <= found(tagger, "SageMakerで過学習を防ぐ")


def test_ocr_garbled_service_name(tagger):
    # page 399 of the guide, as the OCR left it after correction
    assert "AWS Key Management Service" in found(tagger, "AWS Kcy Management Service(AWS KMS)")
    assert "AWS Identity and Access Management" in found(tagger, "AWS Identity and Access Managemnet")
    # fuzzy matching is for service names: a generic phrase near a concept's form is not one
    assert "provisioned throughput" not in found(tagger, "to provision capacity across instance types")


def test_common_words_as_names_need_capitals(tagger):
    assert "AWS Glue" in found(tagger, "The job runs in AWS Glue and Glue writes Parquet.")
    assert "AWS Glue" not in found(tagger, "Apply glue to the parts.")
    assert "AWS Glue" not in found(tagger, "Glue the parts together.")  # a sentence's first word
    assert "AWS Lambda" in found(tagger, "An S3 event invokes a Lambda function.")


def test_question_tags_come_from_stem_and_answer():
    from extract.tags import get_tagger
    from qbank.enrich import question_evidence

    q = {"stem": "Which SageMaker feature detects bias in training data?", "kind": "single",
         "options": [{"label": "A", "text": "SageMaker Clarify"}, {"label": "B", "text": "Amazon Polly"},
                     {"label": "C", "text": "AWS Glue"}], "answer": ["A"], "explanation": None,
         "translations": {}}
    evidence, tags = question_evidence(get_tagger(), q)
    assert sorted(tags) == ["Amazon SageMaker Clarify", "bias"]  # not the distractors, not the platform
    assert evidence["Amazon Polly"] < evidence["Amazon SageMaker Clarify"]


# -- domains --------------------------------------------------------------------------------

def test_domain_of_a_clear_question():
    from extract.domains import get_guides

    evidence = {"confusion matrix": 1.0, "precision": 1.0, "recall": 1.0, "model evaluation": 0.5}
    got = {d["exam"]: d for d in get_guides().classify(evidence)}
    assert got["MLS-C01"]["domain"] == 3 and got["MLS-C01"]["task"] == "3.5"
    assert got["MLA-C01"]["domain"] == 2 and got["MLA-C01"]["task"] == "2.3"
    assert 0.5 < got["MLS-C01"]["score"] <= 1


def test_no_domain_below_the_threshold():
    from extract.domains import get_guides

    guides = get_guides()
    assert guides.classify({}) == []
    assert guides.classify({"Amazon S3": 0.3}) == []  # a distractor's mention: too little
    # evidence spread evenly over the exam says nothing
    assert guides.classify({"Amazon CloudWatch": 1.0, "Amazon S3": 1.0, "hyperparameter tuning": 1.0,
                            "data visualization": 1.0}) == []


# -- related --------------------------------------------------------------------------------

def unit(path: str, page: int, text: str, lang: str = "ko", kind: str = "slide") -> dict:
    return {"id": f"{path}/p{page}", "source": {"path": path, "sha256": "0" * 64, "format": "ocr-text",
                                                 "pages": [page]},
            "module": None, "module_title": None, "topic": None, "kind": kind, "title": None,
            "text": text, "lang": lang}


def question(stem: str, options: list[str], path: str = "dump.pdf", pages: list[int] | None = None) -> dict:
    return {"id": "q-1", "source": {"path": path, "sha256": "1" * 64, "format": "pdf", "pages": pages or []},
            "module": None, "module_title": None, "topic": None, "number": 1, "lang": "en", "kind": "single",
            "stem": stem, "options": [{"label": "ABCD"[i], "text": t} for i, t in enumerate(options)],
            "answer": ["A"], "explanation": None, "translations": {}, "flags": []}


KNOWLEDGE = [
    unit("guide.txt", 10, "하이퍼파라미터 튜닝: 베이지안 최적화와 하이퍼밴드로 학습률을 찾습니다. 자동 모델 튜닝."),
    unit("guide.txt", 11, "혼동 행렬과 정밀도, 재현율, F1 점수로 분류 모델을 평가합니다."),
    unit("guide.txt", 12, "Amazon S3 버킷에 훈련 데이터를 저장하고 수명 주기 정책으로 비용을 줄입니다."),
    unit("guide.txt", 13, "아젠다: 하이퍼파라미터 튜닝, 혼동 행렬, S3", kind="agenda"),
]


def test_related_crosses_languages():
    from qbank.enrich import enrich

    q = question("Which technique finds the best learning rate with the fewest training jobs?",
                 ["Bayesian optimization in automatic model tuning", "Grid search by hand",
                  "Random cropping", "More epochs"])
    units = [dict(u) for u in KNOWLEDGE]
    enrich([q], units)
    assert q["related"] and q["related"][0]["id"] == "guide.txt/p10"
    assert all(r["id"] != "guide.txt/p13" for r in q["related"])  # an agenda teaches nothing
    assert "hyperparameter tuning" in units[0]["tags"]


def test_related_leaves_out_the_questions_own_pages():
    from qbank.enrich import enrich

    units = [dict(u) for u in KNOWLEDGE] + [unit("guide.txt", 40, "혼동 행렬 정밀도 재현율 문제와 답 해설")]
    q = question("혼동 행렬에서 정밀도와 재현율은 무엇입니까?", ["정밀도", "재현율", "분류", "회귀"],
                 path="guide.txt", pages=[40, 41])
    enrich([q], units)
    ids = [r["id"] for r in q["related"]]
    assert "guide.txt/p40" not in ids and ids[0] == "guide.txt/p11"
    # the same page in another source is not the question's own
    other = question("혼동 행렬에서 정밀도와 재현율은 무엇입니까?", ["정밀도", "재현율", "분류", "회귀"],
                     path="other.txt", pages=[40])
    enrich([other], units)
    assert other["related"][0]["id"] == "guide.txt/p40"


def test_nothing_related_to_an_unrelated_question():
    from qbank.enrich import enrich

    q = question("What colour is the sky on a clear day?", ["Blue", "Green", "Red", "Grey"])
    enrich([q], [dict(u) for u in KNOWLEDGE])
    assert q["related"] == [] and q["domains"] == [] and q["tags"] == []


# -- the build ------------------------------------------------------------------------------

def test_samples_build_is_enriched_valid_and_deterministic(tmp_path):
    from qbank.pipeline import build
    from store.schema import validate

    texts = []
    for name in ("a", "b"):
        build([str(SAMPLES)], tmp_path / name, progress=False)
        texts.append([(tmp_path / name / f).read_bytes() for f in ("questions.jsonl", "knowledge.jsonl")])
    assert texts[0] == texts[1]
    questions = read_jsonl(tmp_path / "a" / "questions.jsonl")
    knowledge = read_jsonl(tmp_path / "a" / "knowledge.jsonl")
    ids = {k["id"] for k in knowledge}
    for q in questions:
        validate("question", q)
        assert list(q)[-4:] == ["tags", "domains", "related", "flags"]
        assert all(r["id"] in ids for r in q["related"])
    for k in knowledge:
        validate("knowledge", k)
    clarify = [q for q in questions if "Amazon SageMaker Clarify" in q["tags"]]
    assert clarify and all(d["domain"] == 1 for q in clarify for d in q["domains"] if d["exam"] == "MLA-C01")


def test_no_enrich_option_and_stats_coverage(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "qbank.cli", *args], cwd=REPO, capture_output=True,
                              text=True, env={**__import__("os").environ, "PYTHONPATH": str(REPO)})

    plain = tmp_path / "plain"
    assert run("build", "samples/", "--out", str(plain), "-q", "--no-enrich").returncode == 0
    assert all("tags" not in q and "related" not in q for q in read_jsonl(plain / "questions.jsonl"))
    enriched = tmp_path / "enriched"
    assert run("build", "samples/", "--out", str(enriched), "-q").returncode == 0
    rows = json.loads(run("stats", str(enriched), "--format", "json").stdout)
    domains = {r["value"]: r["questions"] for r in rows if r["dimension"] == "domain"}
    assert "MLS-C01 3 Modeling (36%)" in domains and domains["MLS-C01 3 Modeling (36%)"] > 0
    services = [r for r in rows if r["dimension"] == "service"]
    assert services[0]["questions"] >= services[-1]["questions"]
    assert any(r["value"] == "Amazon S3" and r["questions"] > 0 for r in services)
    result = run("export", str(enriched), "--to", "csv", "--out", str(tmp_path / "csv"))
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "csv" / "questions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",tags,domains")
