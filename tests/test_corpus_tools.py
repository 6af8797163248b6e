"""Reading corpora back: ``qbank diff``, the rebuild summary, ``qbank stats``, ``qbank export``.

Corpora are built by the real pipeline (the CLI) from ``samples/`` and from small
question files written here, then edited as a maintainer would (a corrected file dropped
in place of the old one) or by hand.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, read_jsonl
from store.diff import changed_fields, show_pair

QBANK = [sys.executable, "-m", "qbank.cli"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
FAST = ["--no-ocr-correction", "--no-ocr"]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(QBANK + list(args), cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess, *names: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qbank: "), result.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])


# -- diff of two builds from inputs that differ -------------------------------------------

def write_quiz(path: Path, questions: list[tuple[int, str, list[str], str]]) -> None:
    import docx

    document = docx.Document()
    for number, stem, options, answer in questions:
        document.add_paragraph(f"{number}. {stem}")
        for label, text in zip("ABCD", options):
            document.add_paragraph(f"{label}. {text}")
        document.add_paragraph(f"Answer: {answer}")
    document.save(path)


def write_notes(path: Path, sections: list[tuple[str, str]]) -> None:
    path.write_text("".join(f"# {title}\n\n{text}\n\n" for title, text in sections), encoding="utf-8")


STORAGE = ("Storage", "Amazon S3 stores objects in buckets.")
METRICS = ("Metrics", "F1 balances precision and recall.")
TRAINING = ("Training", "SageMaker runs training jobs on managed instances.")


def test_rebuild_from_corrected_inputs(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_quiz(src / "quiz.docx", [
        (1, "Which service stores objects?", ["Amazon S3", "Amazon EBS", "Amazon EFS"], "A"),
        (2, "Which metric suits imbalanced classes?", ["Accuracy", "F1 score", "MSE"], "B"),
        (3, "Which service trains models?", ["Amazon SageMaker", "Amazon Route 53", "AWS IAM"], "A")])
    write_notes(src / "notes.md", [STORAGE, METRICS, TRAINING])
    write_notes(src / "old.md", [("Old", "A page that will be dropped.")])
    first = run("build", "src", "--out", "out", *FAST, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "changes" not in first.stderr  # nothing to compare with
    shutil.copytree(tmp_path / "out", tmp_path / "before")

    # the corrected file: q1's answer fixed, q2 dropped, q3's stem edited, q4 new
    write_quiz(src / "quiz.docx", [
        (1, "Which service stores objects?", ["Amazon S3", "Amazon EBS", "Amazon EFS"], "B"),
        (3, "Which service trains ML models?", ["Amazon SageMaker", "Amazon Route 53", "AWS IAM"], "A"),
        (4, "Which service runs SQL on S3?", ["Amazon Athena", "Amazon SQS", "AWS Lambda"], "A")])
    write_notes(src / "notes.md", [STORAGE, ("Metrics", "F1 is the harmonic mean of precision and recall."),
                                   TRAINING, ("Serving", "Endpoints serve predictions.")])
    (src / "old.md").unlink()
    second = run("build", "src", "--out", "out", *FAST, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert ("changes   questions 1 added, 1 removed, 2 changed (1 answer changed); "
            "knowledge 1 added, 1 removed, 1 changed") in second.stderr
    # question ids are named by content, and inherited across the rebuild (store/ids.py)
    old = {q["stem"]: q["id"] for q in read_jsonl(tmp_path / "before" / "questions.jsonl")}
    new = {q["stem"]: q["id"] for q in read_jsonl(tmp_path / "out" / "questions.jsonl")}
    q1, q2 = old["Which service stores objects?"], old["Which metric suits imbalanced classes?"]
    q3, q4 = old["Which service trains models?"], new["Which service runs SQL on S3?"]
    assert new["Which service trains ML models?"] == q3  # an edited stem keeps its id
    assert f"answer changed  {q1}: A → B" in second.stderr

    result = run("diff", "before", "out", "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    diff = json.loads(result.stdout)
    q, k = diff["questions"], diff["knowledge"]
    assert (q["old"], q["new"]) == (3, 3)
    assert q["added"] == [q4] and q["removed"] == [q2]
    assert q["answer_changed"] == [q1]
    assert sorted(c["id"] for c in q["changed"]) == sorted([q1, q3])
    c1, c3 = sorted(q["changed"], key=lambda c: c["id"] != q1)
    assert c1["fields"][0] == "answer" and c1["changes"][0] == {"field": "answer", "old": ["A"], "new": ["B"]}
    # what the enrichment derives from the stem may follow it (issue 17's tags, domains, related)
    assert c3["fields"][0] == "stem" and set(c3["fields"]) <= {"stem", "tags", "domains", "related"}
    assert c3["changes"][0]["new"] == "Which service trains ML models?"
    assert (k["added"], k["removed"], k["changed"]) == (["notes/s4"], ["old/s1"], ["notes/s2"])
    assert not diff["identical"]

    table = run("diff", "before", "out", cwd=tmp_path)
    assert table.returncode == 1
    lines = table.stdout.splitlines()

    def where(start: str) -> int:
        return next(n for n, line in enumerate(lines) if line.strip().startswith(start))

    assert where("answer changed (1)") < where(q1) < where("changed (1)") \
        < where(q3) < where("added (1)") < where(q4) < where("removed (1)")
    assert lines[where(q1)].split() == [q1, "answer", "A", "→", "B"]
    assert "knowledge removed (1): old/s1" in lines

    same = run("diff", "out", "out", cwd=tmp_path)
    assert same.returncode == 0 and "identical" in same.stdout
    third = run("build", "src", "--out", "out", *FAST, cwd=tmp_path)
    assert third.returncode == 0 and "changes   none" in third.stderr


def test_rebuild_over_an_unreadable_corpus_skips_the_summary(tmp_path):
    src = tmp_path / "quiz.docx"
    write_quiz(src, [(1, "Which service stores objects?", ["Amazon S3", "Amazon EBS"], "A")])
    assert run("build", "quiz.docx", "--out", "out", *FAST, cwd=tmp_path).returncode == 0
    (tmp_path / "out" / "questions.jsonl").write_text("{not json\n", encoding="utf-8")
    result = run("build", "quiz.docx", "--out", "out", *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "changes" not in result.stderr and "questions 1" in result.stderr
    (record,) = read_jsonl(tmp_path / "out" / "questions.jsonl")
    assert record["stem"] == "Which service stores objects?" and record["id"].startswith("q-")


# -- diff of a hand-edited corpus ------------------------------------------------------------

def test_diff_of_an_edited_corpus(samples_corpus, tmp_path):
    edited = tmp_path / "edited"
    shutil.copytree(samples_corpus, edited)
    questions = read_jsonl(edited / "questions.jsonl")
    target, dropped = questions[3], questions[7]
    old_answer = target["answer"]
    target["answer"] = ["D"] if old_answer != ["D"] else ["A"]
    for record in questions:
        record["source"]["sha256"] = "0" * 64  # provenance only: not a change
    added = dict(questions[0], id="extra/m-/q1", stem="A question added by hand?")
    questions = [q for q in questions if q is not dropped] + [added]
    (edited / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")

    result = run("diff", str(samples_corpus), str(edited), "--json")
    assert result.returncode == 1, result.stderr
    q = json.loads(result.stdout)["questions"]
    assert q["added"] == ["extra/m-/q1"] and q["removed"] == [dropped["id"]]
    assert q["answer_changed"] == [target["id"]]
    assert q["changed"] == [{"id": target["id"], "fields": ["answer"],
                             "changes": [{"field": "answer", "old": old_answer, "new": target["answer"]}]}]
    assert json.loads(result.stdout)["knowledge"] == {
        "old": len(read_jsonl(samples_corpus / "knowledge.jsonl")),
        "new": len(read_jsonl(samples_corpus / "knowledge.jsonl")), "added": [], "removed": [], "changed": []}


def test_diff_unreadable_folders_exit_2(samples_corpus, tmp_path):
    assert_one_line_error(run("diff", str(samples_corpus), str(tmp_path / "missing")), "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run("diff", str(empty), str(samples_corpus)), "empty", "questions.jsonl")
    broken = tmp_path / "broken"
    shutil.copytree(samples_corpus, broken)
    with open(broken / "questions.jsonl", "a", encoding="utf-8") as handle:
        handle.write("[1, 2]\n")
    lines = len(read_jsonl(samples_corpus / "questions.jsonl")) + 1
    assert_one_line_error(run("diff", str(samples_corpus), str(broken)), "questions.jsonl", f"line {lines}")
    assert run("diff", str(samples_corpus)).returncode == 2


def test_changed_fields_order_and_shortening():
    old = {"id": "x", "source": {"path": "a.pdf", "sha256": "1", "pages": [1]}, "stem": "s",
           "lang": "en", "flags": [], "answer": ["A"]}
    new = dict(old, source={"path": "a.pdf", "sha256": "2", "pages": [2]}, stem="t",
               lang="ko", flags=["f"], answer=["B"])
    assert [c.field for c in changed_fields(old, new)] == ["answer", "stem", "flags", "source", "lang"]
    assert changed_fields(old, dict(old, source=dict(old["source"], sha256="2"))) == []
    long = "이 질문은 아주 긴 문장입니다 " * 10
    a, b = show_pair(long + "끝", long + "다름")
    assert a.startswith("…") and a.endswith('끝"') and b.endswith('다름"')
    options = [{"label": "A", "text": "same"}, {"label": "B", "text": "old"}]
    assert show_pair(options, [options[0], {"label": "B", "text": "new"}]) == ("B. old", "B. new")


# -- stats --------------------------------------------------------------------------------

#: exam-domain and service coverage rows (tests/test_tags.py checks those)
COVERAGE = ("domain", "service")

def expected_counts(questions: list[dict]) -> dict[tuple[str, str], int]:
    none = lambda v: "(none)" if v is None else str(v)  # noqa: E731
    counts: Counter = Counter()
    for q in questions:
        counts["total", "all"] += 1
        counts["answer", "present" if q["answer"] else "missing"] += 1
        counts["duplicates", "also_in"] += bool(q.get("also_in"))
        for dimension, value in (("source", q["source"]["path"]), ("module", q["module"]),
                                 ("kind", q["kind"]), ("lang", q["lang"])):
            counts[dimension, none(value)] += 1
        for flag in q["flags"]:
            counts["flag", flag] += 1
    counts.setdefault(("answer", "missing"), 0)
    counts.setdefault(("answer", "present"), 0)
    counts.setdefault(("duplicates", "also_in"), 0)
    return dict(counts)


def test_stats_formats_agree_with_the_corpus(samples_corpus, tmp_path):
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    expected = expected_counts(questions)
    result = run("stats", str(samples_corpus), "--format", "csv")
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), dtype={"value": str}, keep_default_na=False)
    assert list(frame.columns) == ["dimension", "value", "questions", "share"]
    assert {(d, v): n for d, v, n in frame[["dimension", "value", "questions"]].itertuples(index=False)
            if d not in COVERAGE} == expected
    total = len(questions)
    assert (frame["share"] - (frame["questions"] / total).round(4)).abs().max() < 1e-9

    rows = json.loads(run("stats", str(samples_corpus), "--format", "json").stdout)
    assert rows == json.loads(frame.to_json(orient="records"))
    table = run("stats", str(samples_corpus)).stdout
    answered = expected["answer", "present"]
    assert f"answer coverage {answered / total:.1%} ({answered} of {total})" in table
    assert "samples/exam-dump.docx" in table


def test_stats_counts_duplicates_and_missing_answers(samples_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(samples_corpus, corpus)
    questions = read_jsonl(corpus / "questions.jsonl")
    questions[0]["also_in"] = [questions[5]["id"]]
    questions[1]["also_in"] = []  # none found: not a duplicate
    questions[2]["answer"] = []
    (corpus / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    rows = json.loads(run("stats", str(corpus), "--format", "json").stdout)
    got = {(r["dimension"], r["value"]): r["questions"] for r in rows if r["dimension"] not in COVERAGE}
    assert got == expected_counts(questions)
    assert got["duplicates", "also_in"] == 1 and got["answer", "missing"] == 1
    assert_one_line_error(run("stats", str(tmp_path / "missing")), "missing")


# -- export -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_tables_read_back(samples_corpus, tmp_path, fmt):
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("an analyst's own file")
    result = run("export", str(samples_corpus), "--to", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.{fmt}" for t in ("questions", "options", "knowledge")] + ["notes.txt"])  # no temp files
    read = (lambda name: pd.read_csv(out / f"{name}.csv", keep_default_na=False, dtype=str)) if fmt == "csv" \
        else (lambda name: pd.read_parquet(out / f"{name}.parquet"))
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    knowledge = read_jsonl(samples_corpus / "knowledge.jsonl")

    table = read("questions")
    assert list(table["id"]) == [q["id"] for q in questions]
    assert list(table["answer"]) == ["|".join(q["answer"]) for q in questions]
    assert list(table["source"]) == [q["source"]["path"] for q in questions]
    assert [int(n) for n in table["n_options"]] == [len(q["options"]) for q in questions]
    assert list(table["flags"]) == ["|".join(q["flags"]) for q in questions]

    options = read("options")
    assert len(options) == sum(len(q["options"]) for q in questions)
    correct = options[options["is_correct"].astype(str).isin(["True", "true"])]
    assert len(correct) == sum(len(q["answer"]) for q in questions if q["kind"] != "matching")
    by_id = {q["id"]: q for q in questions}
    for question_id, label in correct[["question_id", "label"]].itertuples(index=False):
        assert label in by_id[question_id]["answer"]
    matching = [q for q in questions if q["kind"] == "matching"]
    assert matching  # the guide excerpt has one
    rows = options[options["question_id"] == matching[0]["id"]]
    assert [f"{label}={target}" for label, target in rows[["label", "matches"]].itertuples(index=False)] \
        == matching[0]["answer"]

    table = read("knowledge")
    assert list(table["id"]) == [k["id"] for k in knowledge]
    assert list(table["text"]) == [k["text"] for k in knowledge]


def test_export_errors_and_empty_corpus(samples_corpus, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_line_error(run("export", str(samples_corpus), "--to", "csv", "--out", str(blocker)), str(blocker))
    assert_one_line_error(run("export", str(tmp_path / "missing"), "--to", "csv", "--out", str(tmp_path / "o")),
                          "missing")
    assert run("export", str(samples_corpus), "--to", "xml", "--out", str(tmp_path / "o")).returncode == 2

    empty = tmp_path / "empty"
    empty.mkdir()
    for name in ("questions.jsonl", "knowledge.jsonl"):
        (empty / name).write_text("")
    assert run("export", str(empty), "--to", "parquet", "--out", str(tmp_path / "e")).returncode == 0
    options = pd.read_parquet(tmp_path / "e" / "options.parquet")
    assert len(options) == 0 and list(options.columns) == [
        "question_id", "position", "label", "text", "is_correct", "matches"]
    rows = json.loads(run("stats", str(empty), "--format", "json").stdout)
    assert rows[0] == {"dimension": "total", "value": "all", "questions": 0, "share": 0.0}
