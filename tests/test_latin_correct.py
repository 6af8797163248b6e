"""Latin OCR correction: the look-alike families on invented strings, every never-touch
rule, the audit edits, the hook in correct_records, and the real guide (garbled AWS/ML
terms down by 80%, no known word changed)."""
from __future__ import annotations

import pytest

from conftest import read_jsonl
from extract.latin_correct import get_latin_corrector
from extract.latin_words import lexicon_words
from extract.latin_measure import garbled_tokens
from extract.rules import load_rules

LATIN_REASONS = {"latin-lookalike", "latin-glued", "latin-slash", "latin-case", "latin-acronym",
                 "latin-split"}
#: edits that keep the word: its case (AwS -> AWS), the slash of an acronym pair (CICD ->
#: CI/CD), a space read inside a name (Sage Maker -> SageMaker)
SAME_WORD = {"latin-case", "latin-acronym", "latin-split"}


@pytest.fixture(scope="module")
def corrector():
    return get_latin_corrector()


def fixed(corrector, text: str) -> str:
    return corrector.correct(text)[0]


def test_data_file_is_well_formed():
    rules = load_rules("latin_terms")
    flat = [t for group in rules["terms"].values() for t in group]
    assert len(flat) > 300
    assert len(flat) == len(set(flat)), "a term is listed twice"
    assert lexicon_words() == flat
    for read, meant, cost in rules["confusions"]:
        assert read and meant and read != meant, (read, meant)
        assert 0 < cost < rules["limits"]["generic_cost"], (read, meant, cost)


# ---------------------------------------------------------------------- look-alike families
@pytest.mark.parametrize("garbled, word", [
    ("Dcbugger", "Debugger"),            # c for e
    ("Tcxtract", "Textract"),
    ("CIarify", "Clarify"),              # I for l
    ("Redshlft", "Redshift"),            # l for i
    ("Exper1ments", "Experiments"),      # 1 for i (a digit explained by a look-alike)
    ("CloudForrnation", "CloudFormation"),  # rn for m
    ("Kubemetes", "Kubernetes"),         # m for rn
    ("Beclrock", "Bedrock"),             # cl for d
    ("DoudTrail", "CloudTrail"),         # d for cl
    ("5ageMaker", "SageMaker"),          # 5 for S
    ("Aut0pilot", "Autopilot"),          # 0 for o
    ("Atbena", "Athena"),                # b for h
    ("PyTorcb", "PyTorch"),
    ("CatBoosL", "CatBoost"),            # L for t
    ("Kiuesis", "Kinesis"),              # u for n
    ("Glne", "Glue"),                    # n for u (a four-letter word: look-alikes only)
    ("Vvrangler", "Wrangler"),           # vv for w
    ("Parqnet", "Parquet"),
    ("Hyperparamcter", "Hyperparameter"),
    ("AnyCornpany", "AnyCompany"),
])
def test_lookalike_families(corrector, garbled, word):
    text, edits = corrector.correct(f"데이터는 {garbled}에서 처리합니다")
    assert text == f"데이터는 {word}에서 처리합니다"
    assert [(e.before, e.after, e.reason) for e in edits] == [(garbled, word, "latin-lookalike")]


def test_case_pattern_of_the_term(corrector):
    assert fixed(corrector, "sagcmaker") == "SageMaker"      # a name imposes its case
    assert fixed(corrector, "Xgboosl") == "XGBoost"
    assert fixed(corrector, "contalner") == "container"      # a common word follows the token
    assert fixed(corrector, "Managcment") == "Management"    # English, capitalized as read


def test_glued_names_and_slashes(corrector):
    assert fixed(corrector, "Amazon5ageMaker Studio") == "Amazon SageMaker Studio"
    assert fixed(corrector, "Amazon53 버킷") == "Amazon S3 버킷"
    assert fixed(corrector, "Container RegistrylECR)") == "Container Registry(ECR)"  # closed: "("
    assert fixed(corrector, "Cloud Load BalancinglELB 설정") == "Cloud Load Balancing/ELB 설정"
    assert fixed(corrector, "DataWranglcr") == "DataWrangler"   # parts corrected one by one
    # the l belongs to the word: Model+Builder, never Mode/Builder
    assert fixed(corrector, "ModelBuilder") == "ModelBuilder"
    assert fixed(corrector, "ModclBuilder") == "ModelBuilder"


def test_no_clear_winner_is_left_alone(corrector):
    # as far from GitHub as from GitLab
    assert corrector.correct("GitLub")[1] == []


# ---------------------------------------------------------------------- never touched
@pytest.mark.parametrize("text", [
    "https://docs.aws.amazon.com/sagcmaker/latest/dg/modcl.html",   # URL
    "docs.aws.amazon.com/Sagcmaker",                                 # host name
    "문의: modcl.team@example.com",                                   # e-mail
    "Sagcmaker@example.com",
    "Pipcline.yaml 파일",                                            # file names
    "train_modcl.csv",
    "kincsis_stream",                                                # snake_case
    "getModcl()",                                                    # call, lower camel
    "estimator.fit(Modcl)",                                          # dotted code
    "SagcMaker(role, instance)",                                     # call with arguments
    "`Kincsis` 변수",                                                 # code span
    "getModcl",                                                      # lower camel identifier
    "Sag7Maker",                     # a digit no look-alike explains
    "SAGCMAKCR KMSS IAMM",           # acronyms in capitals
    "Lcx Mdl",                       # shorter than four letters
    "SageMaker Kubernetes XGBoost Polly Studio",   # lexicon words
    "model cloud modal audio lines",               # English words
    "columnar shapely",                            # rare English words (wordfreq large list)
    "ModelBuilder PutObject GetObject",            # compounds of known words
])
def test_never_touched(corrector, text):
    assert corrector.correct(text) == (text, [])


def test_prose_parenthesis_is_not_code(corrector):
    assert fixed(corrector, "Amazon Elastic Kubernetes Scrvicc(Amazon EKS)") == \
        "Amazon Elastic Kubernetes Service(Amazon EKS)"


# ---------------------------------------------------------------------- audit and hook
def test_edits_are_auditable(corrector):
    text = "Arnazon Kincsis 및 Amazon Tcxtract, 그리고 Dcbugger"
    new, edits = corrector.correct(text)
    assert new == "Amazon Kinesis 및 Amazon Textract, 그리고 Debugger"
    assert [e.before for e in edits] == ["Arnazon", "Kincsis", "Tcxtract", "Dcbugger"]
    for edit in edits:
        assert text[edit.start:edit.start + len(edit.before)] == edit.before
        assert set(edit.as_dict()) == {"start", "before", "after", "reason", "cost"}
        assert edit.reason in LATIN_REASONS and edit.cost > 0


def test_correct_records_runs_the_latin_corrector():
    from qbank.extractors import correct_records

    records = [{"id": "q-1", "stem": "Amazon Kincsis로 데이터를 수집합니다",
                "options": [{"text": "Atbena"}, {"text": "Amazon Redshift"}],
                "explanation": "no garble here"}]
    audit = correct_records(records)
    assert records[0]["stem"] == "Amazon Kinesis로 데이터를 수집합니다"
    assert records[0]["options"][0]["text"] == "Athena"
    assert records[0]["options"][1]["text"] == "Amazon Redshift"
    latin = [(row["id"], row["field"], edit["before"], edit["after"])
             for row in audit for edit in row["edits"] if edit["reason"] in LATIN_REASONS]
    assert latin == [("q-1", "stem", "Kincsis", "Kinesis"), ("q-1", "options/0/text", "Atbena", "Athena")]
    assert all(set(row) == {"id", "field", "edits"} for row in audit)


# ---------------------------------------------------------------------- the real guide
def _slot_texts(records: list[dict]) -> dict[tuple[str, str], str]:
    from qbank.extractors import _text_slots

    return {(record["id"], path): container[key]
            for record in records for path, container, key in _text_slots(record)}


def _undo(text: str, edits: list[dict]) -> str:
    """``text`` before the Latin edits (their positions are in the text they were applied to)."""
    pieces, last, delta = [], 0, 0
    for edit in edits:
        start = edit["start"] + delta
        assert text[start:start + len(edit["after"])] == edit["after"], edit
        pieces += [text[last:start], edit["before"]]
        last = start + len(edit["after"])
        delta += len(edit["after"]) - len(edit["before"])
    return "".join(pieces + [text[last:]])


def test_guide_garbled_terms_drop(guide_corpus, corrector):
    records = read_jsonl(guide_corpus / "questions.jsonl") + read_jsonl(guide_corpus / "knowledge.jsonl")
    after = _slot_texts(records)
    latin_edits: dict[tuple[str, str], list[dict]] = {}
    for row in read_jsonl(guide_corpus / "audit" / "ocr_corrections.jsonl"):
        edits = [e for e in row["edits"] if e["reason"] in LATIN_REASONS]
        if edits:
            latin_edits[(row["id"], row["field"])] = edits
    assert len(latin_edits) > 50
    before = {slot: _undo(text, latin_edits.get(slot, [])) for slot, text in after.items()}

    garbled_before = sum(garbled_tokens(before.values(), corrector).values())
    garbled_after = sum(garbled_tokens(after.values(), corrector).values())
    assert garbled_before > 100
    assert garbled_after <= 0.2 * garbled_before, (garbled_before, garbled_after)

    # no word of the lexicon or of the English lists was changed
    for edits in latin_edits.values():
        for edit in edits:
            if edit["reason"] in SAME_WORD:
                pair = edit["after"].split("/")
                assert edit["before"].upper() == edit["after"] or edit["before"].replace(" ", "") == edit["after"] or (
                    edit["before"].startswith(pair[0][:-1]) and edit["before"].endswith(pair[-1])), edit
                continue
            assert not corrector.is_known(edit["before"]), edit
            assert not corrector.is_rare_word(edit["before"]), edit
            assert edit["after"] != edit["before"]


def test_acronyms_read_with_a_small_letter_of_the_same_shape():
    """``AwS`` is AWS (w and W differ only by size in print); plurals and words stay."""
    from extract.latin_correct import get_latin_corrector

    corrector = get_latin_corrector()
    assert corrector.correct("AwS CodePipeline이")[0] == "AWS CodePipeline이"
    assert corrector.correct("EcS 클러스터")[0] == "ECS 클러스터"
    for text in ("IDs 목록", "APIs", "Aws 서비스", "IoT 장치"):
        assert corrector.correct(text) == (text, [])


def test_slash_pairs_read_as_one_token():
    """A pair of acronyms joined by a slash, read with the slash dropped or ``I/`` as ``V``
    (the guide prints AI/ML as AVML and CI/CD as CICD); short pairs (AB) stay."""
    from extract.latin_correct import get_latin_corrector

    corrector = get_latin_corrector()
    assert corrector.correct("CICD 파이프라인")[0] == "CI/CD 파이프라인"
    assert corrector.correct("기계 학습 (AVML) 기능")[0] == "기계 학습 (AI/ML) 기능"
    assert corrector.correct("AB 테스트") == ("AB 테스트", [])
    assert corrector.correct("KMS 키") == ("KMS 키", [])


def test_a_name_read_with_a_space_inside_is_joined():
    """``Sage Maker`` is SageMaker; two words that are a name together stay apart."""
    from extract.latin_correct import get_latin_corrector

    corrector = get_latin_corrector()
    assert corrector.correct("Amazon Sage Maker Studio를")[0] == "Amazon SageMaker Studio를"
    for text in ("Data Wrangler를", "Model Monitor", "Ground Truth"):
        assert corrector.correct(text) == (text, [])


def test_a_word_read_with_a_space_inside_is_joined():
    """A space read inside a word (``Spe cialty``, ``Manage d``) is taken out when the
    pieces make a known word and one of them is none; two words stay two (``in to``,
    ``a part``), and code is never touched."""
    from extract.latin_correct import get_latin_corrector

    corrector = get_latin_corrector()
    assert corrector.correct("Machine Learning – Spe cialty 자격증")[0] == "Machine Learning – Specialty 자격증"
    assert corrector.correct("Amazon Manage d Service")[0] == "Amazon Managed Service"
    assert corrector.correct("Machine Le arning 개요")[0] == "Machine Learning 개요"
    for text in ("log in to the console", "a part of the model", "a way to scale",
                 "value x 계산", "path=/data/spe cialty"):
        assert corrector.correct(text) == (text, []), text
