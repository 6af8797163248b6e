"""Tags and exam domains against the hand-labelled dev set (tests/data/dev_labels.json),
and related units against the guide's gold modules. Real data from ../shared only
(skipped without it); the figures are printed (``pytest -s``) and asserted.

Dev set: the questions of ``samples/`` (one build) and of the AWS exam files of
``../shared/data/exams`` with the MLS questions pasted into
``../shared/data/mls-guide-with-questions.txt`` (another build: the samples' Word dump
holds the same three questions, and one build would merge them).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, SHARED, read_jsonl

DATA = SHARED / "data"
EXAMS = ["en_aws_aif_c01_certleader_dump.pdf", "en_aws_dop_practice_book_calibre.pdf",
         "en_aws_saa_c03_official_sample.pdf", "en_aws_saa_udemy_export_correct_tags.pdf",
         "zh_aws_saa_c03_inline_paren_answers.pdf"]
LABELS = REPO / "tests" / "data" / "dev_labels.json"

needs_exams = pytest.mark.skipif(not (DATA / "exams" / EXAMS[0]).exists(), reason=f"real data not found at {DATA}")


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _find(questions: list[dict], label: dict) -> dict:
    found = [q for q in questions
             if _name(q["source"]["path"]) == label["source"] and q["number"] == label["number"]
             and ("module" not in label or q["module"] == label["module"])]
    assert len(found) >= label.get("occurrence", 1), label
    return found[label.get("occurrence", 1) - 1]


def dev_figures(questions: list[dict]) -> dict:
    """Tag precision and recall (micro, over all labelled questions) and domain top-1
    (over every (question, exam) the labels give a domain for; a question the build
    gives no domain for that exam counts as wrong)."""
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["questions"]
    hits = predicted = wanted = 0
    right = asked = abstained_right = abstain_asked = 0
    misses = []
    for label in labels:
        q = _find(questions, label)
        got, want = set(q["tags"]), set(label["tags"])
        hits += len(got & want)
        predicted += len(got)
        wanted += len(want)
        given = {d["exam"]: d for d in q["domains"]}
        for exam, task in label["domains"].items():
            if task is None:
                abstain_asked += 1
                continue
            asked += 1
            domain = int(task.split(".")[0])
            if exam in given and given[exam]["domain"] == domain:
                right += 1
            else:
                misses.append((label["source"], label["number"], exam, task, given.get(exam)))
    return {"questions": len(labels), "tag_precision": hits / predicted, "tag_recall": hits / wanted,
            "domain_top1": right / asked, "domain_pairs": asked, "domain_misses": misses,
            "unlabelled_exam_pairs": abstain_asked}


@pytest.fixture(scope="module")
def dev_questions(tmp_path_factory):
    from qbank.pipeline import build

    out = tmp_path_factory.mktemp("dev")
    build([str(SAMPLES)], out / "samples", progress=False)
    build([str(DATA / "exams" / name) for name in EXAMS] + [str(DATA / "mls-guide-with-questions.txt")],
          out / "exams", progress=False)
    return read_jsonl(out / "samples" / "questions.jsonl") + read_jsonl(out / "exams" / "questions.jsonl")


@needs_exams
def test_dev_set_tags_and_domains(dev_questions):
    figures = dev_figures(dev_questions)
    print(f"\ndev set: {figures['questions']} questions; tags P={figures['tag_precision']:.3f} "
          f"R={figures['tag_recall']:.3f}; domain top-1 {figures['domain_top1']:.3f} over "
          f"{figures['domain_pairs']} (question, exam) labels")
    for miss in figures["domain_misses"]:
        print("  domain miss:", miss)
    assert figures["questions"] >= 40
    assert figures["tag_precision"] >= 0.9
    assert figures["tag_recall"] >= 0.8
    assert figures["domain_top1"] >= 0.8


def test_dev_labels_use_the_lexicon():
    """Every labelled tag is a canonical tag name and every task one of the guides'."""
    from extract.domains import get_guides
    from extract.tags import Lexicon

    lexicon = Lexicon()
    guides = get_guides()
    tasks = {(t.exam, t.task) for ts in guides.exams.values() for t in ts}
    domains = {(t.exam, str(t.domain)) for ts in guides.exams.values() for t in ts}
    for label in json.loads(LABELS.read_text(encoding="utf-8"))["questions"]:
        assert 2 <= len(label["tags"]) <= 5, label
        for tag in label["tags"]:
            assert tag in lexicon.kind and lexicon.is_tag(tag), tag
        for exam, task in label["domains"].items():
            assert task is None or (exam, task) in tasks or (exam, task) in domains, (exam, task)


def related_top3(questions: list[dict], knowledge: list[dict], modules: list[dict]) -> tuple[int, list]:
    """Knowledge checks with a related unit of their own module among the first three."""
    module_of = {k["id"]: k.get("module") for k in knowledge}
    good, bad = 0, []
    for q in questions:
        top = [module_of.get(r["id"]) for r in q["related"][:3]]
        if q["module"] in top:
            good += 1
        else:
            bad.append((q["module"], q["number"], [r["id"] for r in q["related"][:3]]))
    return good, bad


def test_guide_related_in_own_module(guide_corpus, gold_modules):
    questions = read_jsonl(Path(guide_corpus) / "questions.jsonl")
    knowledge = read_jsonl(Path(guide_corpus) / "knowledge.jsonl")
    pages = {m["module"]: (m["first_page"], m["last_page"]) for m in gold_modules}
    # the gold's page ranges, not the corpus's own module numbers, decide the module
    for unit in knowledge:
        page = (unit["source"]["pages"] or [0])[0]
        unit["module"] = next((m for m, (a, b) in pages.items() if a <= page <= b), None)
    good, bad = related_top3(questions, knowledge, gold_modules)
    print(f"\nguide knowledge checks with an own-module unit in the related top 3: {good}/{len(questions)}")
    for miss in bad:
        print("  miss:", miss)
    assert len(questions) == 28
    assert good / len(questions) >= 0.9
