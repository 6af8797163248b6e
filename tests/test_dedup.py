"""One record per question across sources (store/dedup.py) and question ids that survive
the files changing (store/ids.py): on invented records, on small question files built by
the real pipeline, and on the sample Word dump with its PDF print and a scan of it."""
from __future__ import annotations

import random
import shutil
import subprocess
import sys

import pytest

from conftest import GUIDE, REPO, SAMPLES, read_jsonl
from store.dedup import FLAG, merge_duplicates
from store.ids import content_id, inherit_ids


def record(path: str, number: int, stem: str, options: list[str], answer: list[str],
           **extra) -> dict:
    labels = "ABCDEFGH"
    return {"id": f"{path}/q{number}", "source": {"path": path, "sha256": "0" * 64,
                                                 "format": "docx", "pages": [1]},
            "number": number, "kind": "single", "stem": stem,
            "options": [{"label": labels[i], "text": t} for i, t in enumerate(options)],
            "answer": answer, "explanation": extra.pop("explanation", None),
            "translations": extra.pop("translations", {}), "flags": extra.pop("flags", []),
            **extra}


STEM = "Which AWS service stores the training data of a machine learning team as objects?"
OPTIONS = ["Amazon S3", "Amazon EBS", "Amazon RDS", "AWS Lambda"]


def test_the_same_question_in_two_sources_is_one_record():
    a = record("a.docx", 4, STEM, OPTIONS, ["A"])
    b = record("b.pdf", 17, STEM.replace("objects?", "objects ?").upper(),  # typography
               [OPTIONS[i] for i in (2, 0, 3, 1)], ["B"])                   # options reordered
    merged, where = merge_duplicates([a, b])
    assert len(merged) == 1
    (q,) = merged
    assert q["also_in"][0]["path"] in {"a.docx", "b.pdf"} and len(q["also_in"]) == 1
    assert FLAG not in q["flags"]  # b's B is a's A: the same answer in other labels
    assert where == {("a.docx", "a.docx/q4"): 0, ("b.pdf", "b.pdf/q17"): 0}


def test_a_different_answer_is_kept_and_flagged_in_the_primarys_labels():
    a = record("a.docx", 1, STEM, OPTIONS, ["A"], explanation="S3 stores objects.")
    b = record("b.docx", 1, STEM, list(reversed(OPTIONS)), ["C"])  # C there = EBS = B here
    (q,), _ = merge_duplicates([b, a])
    assert q["source"]["path"] == "a.docx"  # the one with an explanation is the primary
    assert FLAG in q["flags"]
    assert q["answer_signals"]["source:b.docx"] == ["B"]


def test_same_stem_other_options_stay_apart():
    a = record("a.docx", 1, STEM, OPTIONS, ["A"])
    b = record("b.docx", 1, STEM, ["Amazon DynamoDB", "Amazon Redshift", "Amazon Neptune",
                                   "Amazon Timestream"], ["A"])
    merged, _ = merge_duplicates([a, b])
    assert len(merged) == 2 and not any("also_in" in q for q in merged)


def test_a_source_is_never_merged_with_itself():
    a = record("a.docx", 1, STEM, OPTIONS, ["A"])
    b = record("a.docx", 9, STEM, OPTIONS, ["A"])  # a dump that repeats a question
    c = record("c.docx", 3, STEM, OPTIONS, ["A"])
    merged, _ = merge_duplicates([a, b, c])
    assert len(merged) == 2
    assert sorted(len(q.get("also_in", [])) for q in merged) == [0, 1]


def test_a_translation_matches_the_other_language():
    ko = record("ko.docx", 1, "머신 러닝 팀의 훈련 데이터를 객체로 저장하는 AWS 서비스는 무엇입니까?",
                ["Amazon S3", "Amazon EBS", "Amazon RDS", "AWS Lambda"], ["A"],
                translations={"en": {"stem": STEM, "options": [
                    {"label": label, "text": text} for label, text in zip("ABCD", OPTIONS)]}})
    en = record("en.docx", 5, STEM, OPTIONS, ["A"])
    (q,), _ = merge_duplicates([en, ko])
    assert q["source"]["path"] == "ko.docx"  # it carries the translation
    assert q["also_in"][0]["path"] == "en.docx"


def test_merging_does_not_depend_on_input_order():
    rng = random.Random(3)
    records = []
    for n in range(40):
        stem = f"Question {n}: which service handles workload {n} of the team best today?"
        options = [f"Service {n}-{k}" for k in range(4)]
        for copy in range(rng.randint(1, 3)):
            records.append(record(f"s{copy}.docx", n, stem, rng.sample(options, 4), ["A"]))
    first, _ = merge_duplicates(sorted(records, key=lambda r: r["id"]))
    for _ in range(3):
        rng.shuffle(records)
        again, _ = merge_duplicates(records)
        assert sorted(first, key=lambda r: r["id"]) == sorted(again, key=lambda r: r["id"])


def test_content_ids_ignore_option_order_and_typography():
    a = record("a.docx", 1, STEM, OPTIONS, ["A"])
    b = record("z/b.pdf", 7, STEM.upper() + "  ", list(reversed(OPTIONS)), ["D"])
    assert content_id(a) == content_id(b)
    c = record("a.docx", 1, STEM.replace("objects", "files"), OPTIONS, ["A"])
    assert content_id(c) != content_id(a)


def test_inherited_ids_follow_a_fixed_typo():
    old = dict(record("a.docx", 1, STEM, OPTIONS, ["A"]), id="q-0123456789abcdef")
    new = record("a.docx", 1, STEM.replace("training", "trainning"), OPTIONS, ["A"])
    other = record("a.docx", 2, "Which service labels images with human workers at scale?",
                   ["SageMaker Ground Truth", "Amazon Polly", "Amazon Lex", "AWS Glue"], ["A"])
    assert inherit_ids([other, new], [old]) == {1: "q-0123456789abcdef"}


# ------------------------------------------------------------ real builds
QUESTIONS = [
    ("Which AWS service stores training data as objects for a machine learning team?",
     ["Amazon S3", "Amazon EBS", "Amazon RDS", "AWS Lambda"], "A"),
    ("Which metric is not used to evaluate a classification model?",
     ["Precision", "Mean squared error", "Recall", "F1 score"], "B"),
    ("Which technique reduces overfitting in a neural network?",
     ["More epochs", "Dropout", "A higher learning rate", "More features"], "B"),
    ("Which SageMaker feature explains the bias of a trained model?",
     ["SageMaker Clarify", "SageMaker Debugger", "SageMaker Canvas", "SageMaker Neo"], "A"),
]


def dump(questions, newline: str = "\n") -> str:
    blocks = []
    for number, (stem, options, answer) in enumerate(questions, start=1):
        lines = [f"{number}. {stem}"] + [f"{'ABCD'[i]}. {o}" for i, o in enumerate(options)]
        blocks.append(newline.join(lines + [f"Answer: {answer}"]))
    return (newline * 2).join(blocks) + newline


def build(tmp_path, out: str, *files) -> dict[str, str]:
    """Build ``files``; stem -> id of the corpus's questions."""
    result = subprocess.run([sys.executable, "-m", "qbank.cli", "build", *map(str, files),
                             "--out", str(tmp_path / out), "--no-ocr-correction"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return {q["stem"]: q["id"] for q in read_jsonl(tmp_path / out / "questions.jsonl")}


def test_ids_survive_resaving_renaming_insertion_and_a_typo(tmp_path):
    original = tmp_path / "v1" / "dump.txt"
    original.parent.mkdir()
    original.write_text(dump(QUESTIONS[:3]), encoding="utf-8")
    ids = build(tmp_path, "out", original)
    assert len(ids) == 3 and all(i.startswith("q-") for i in ids.values())

    # re-saved (other line endings) and renamed within the folder set
    resaved = tmp_path / "v2" / "dump-renamed.txt"
    resaved.parent.mkdir()
    resaved.write_bytes(dump(QUESTIONS[:3], "\r\n").encode("utf-8"))
    assert build(tmp_path, "fresh-resaved", resaved) == ids

    # a question added before the others: their numbers shift, their ids do not
    grown = tmp_path / "v3" / "dump.txt"
    grown.parent.mkdir()
    grown.write_text(dump(QUESTIONS[3:] + QUESTIONS[:3]), encoding="utf-8")
    after = build(tmp_path, "fresh-grown", grown)
    assert {s: after[s] for s in ids} == ids and len(after) == 4

    # a typo fixed in a stem: a rebuild into the corpus folder keeps the old id
    fixed = [(QUESTIONS[0][0].replace("training data", "training datasets"),) + QUESTIONS[0][1:]]
    original.write_text(dump(fixed + QUESTIONS[1:3]), encoding="utf-8")
    rebuilt = build(tmp_path, "out", original)
    assert rebuilt[fixed[0][0]] == ids[QUESTIONS[0][0]]
    assert sorted(rebuilt.values()) == sorted(ids.values())
    # ... which a fresh build, with no corpus to inherit from, names by its new content
    assert build(tmp_path, "fresh-fixed", original)[fixed[0][0]] != ids[QUESTIONS[0][0]]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("tesseract") is None,
                    reason="LibreOffice or Tesseract missing: run scripts/install-system-deps.sh")
def test_samples_with_a_print_and_a_scan_of_the_dump(tmp_path):
    copies = tmp_path / "copies"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_sample_copies.py"), str(copies)],
                   check=True, capture_output=True, timeout=600)
    alone = {q["number"]: q for q in read_jsonl(_built(tmp_path, "alone", [SAMPLES / "exam-dump.docx"]))}
    out = _built(tmp_path, "all", [SAMPLES, copies])
    questions = read_jsonl(out)
    copies_of = {}
    for q in questions:
        paths = [q["source"]["path"]] + [a["path"] for a in q.get("also_in", [])]
        if any(p.endswith("exam-dump.docx") for p in paths):
            copies_of[q["number"]] = sorted(p.rsplit("/", 1)[1] for p in paths)
    # every question of the dump once, found in all three copies
    assert set(copies_of) == set(alone)
    assert all(c == ["exam-dump-print.pdf", "exam-dump-scan.pdf", "exam-dump.docx"]
               for c in copies_of.values()), copies_of
    assert len(questions) == len(read_jsonl(_built(tmp_path, "samples", [SAMPLES])))
    # merged records meet the contract (the build validates what sources give; also_in
    # and the answer signals it adds are checked here)
    from store.schema import validate
    for q in questions:
        validate("question", q)
    # the same inputs in reverse order: the same bytes
    again = _built(tmp_path, "reversed", [copies, SAMPLES])
    assert again.read_bytes() == out.read_bytes()
    # media/: the pictures of the records written, those of merged-away copies (the scan's
    # page renders) not; the same files in either order
    named = {image["media"] for q in questions for image in q.get("images", []) if "media" in image}
    assert named and {f"media/{p.name}" for p in (out.parent / "media").iterdir()} == named
    assert sorted(p.name for p in (again.parent / "media").iterdir()) == sorted(p.name for p in (out.parent / "media").iterdir())


def _built(tmp_path, name, inputs):
    out = tmp_path / name
    subprocess.run([sys.executable, "-m", "qbank.cli", "build", *map(str, inputs), "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True, timeout=600)
    return out / "questions.jsonl"


@pytest.mark.skipif(not GUIDE.exists(), reason=f"real data not found at {GUIDE}")
def test_the_guide_excerpt_merges_into_the_whole_guide(tmp_path):
    """samples/guide-excerpt.ocr.txt holds pages of the real guide: its five knowledge
    checks, OCR'd the same way, are the guide's, and nothing else merges."""
    guide = read_jsonl(_built(tmp_path, "guide", [GUIDE]))
    both = read_jsonl(_built(tmp_path, "both", [GUIDE, SAMPLES / "guide-excerpt.ocr.txt"]))
    excerpt = read_jsonl(_built(tmp_path, "excerpt", [SAMPLES / "guide-excerpt.ocr.txt"]))
    assert len(both) == len(guide)
    merged = [q for q in both if q.get("also_in")]
    assert len(merged) == len(excerpt) == 5
    assert {(q["module"], a["number"]) for q in merged for a in q["also_in"]} == \
        {(q["module"], q["number"]) for q in excerpt}
