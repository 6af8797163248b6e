"""The build as users run it: CLI, determinism, bad inputs, samples, store contract."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GUIDE, REPO, SAMPLES, read_jsonl
from store.ids import disambiguate, question_id
from store.schema import RecordInvalid, validate
from store.writer import write_atomic

QBANK = [sys.executable, "-m", "qbank.cli"]


def run(*args: str, cwd: Path = REPO, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(QBANK + list(args), cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_two_builds_are_byte_identical(tmp_path):
    if not GUIDE.exists():
        pytest.skip("real data missing")
    outputs = []
    for name in ("a", "b"):
        result = run("build", str(GUIDE), "--out", str(tmp_path / name), "-q")
        assert result.returncode == 0, result.stderr
        outputs.append({f: (tmp_path / name / f).read_bytes()
                        for f in ("questions.jsonl", "knowledge.jsonl", "manifest.json")})
    assert outputs[0] == outputs[1]
    assert outputs[0]["questions.jsonl"]


def test_samples_demo(tmp_path):
    result = run("build", "samples/", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    questions = read_jsonl(tmp_path / "questions.jsonl")
    assert all(q["answer"] for q in questions)
    guide = [q for q in questions if q["source"]["path"] == "samples/guide-excerpt.ocr.txt"]
    dump = [q for q in questions if q["source"]["path"] == "samples/exam-dump.docx"]
    assert len(guide) == 5 and {q["module"] for q in guide} == {1, 3}
    expected = json.loads((REPO / "tests" / "data" / "exam-dump.expected.json").read_text())["answers"]
    assert {str(q["number"]): q["answer"] for q in dump} == expected
    assert all(q["source"]["format"] == "docx" for q in dump)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["totals"]["failed"] == 0
    assert [s["path"] for s in manifest["sources"]] == sorted(
        f"samples/{p.name}" for p in SAMPLES.iterdir() if not p.name.startswith("."))
    pdfs = json.loads((REPO / "tests" / "data" / "sample-pdfs.expected.json").read_text(encoding="utf-8"))
    for name, answers in pdfs.items():
        got = {str(q["number"]): q["answer"] for q in questions if q["source"]["path"] == f"samples/{name}"}
        assert got == answers, name
    assert "questions" in result.stderr and "time" in result.stderr  # the summary


def test_bad_inputs_fail_alone(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "latin1.txt").write_bytes("caf\xe9 PAGE 1 of 2".encode("latin-1"))
    (bad / "notes.txt").write_text("12 34 -- 56 ++ 78\n")  # no words to read
    (bad / "fake.pdf").write_bytes(b"%PDF-1.7 broken")
    sample = SAMPLES / "guide-excerpt.ocr.txt"
    result = run("build", str(bad), str(sample), str(tmp_path / "missing.txt"),
                 "--out", str(tmp_path / "out"), "-q")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("qbank: error:")]
    assert len(errors) == 5
    for name in ("empty.txt", "latin1.txt", "notes.txt", "fake.pdf", "missing.txt"):
        assert sum(name in line for line in errors) == 1, (name, errors)
    assert len(read_jsonl(tmp_path / "out" / "questions.jsonl")) == 5
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["totals"]["failed"] == 5 and len(manifest["errors"]) == 5


def test_usage_errors_exit_2(tmp_path):
    assert run("build", "samples/").returncode == 2            # no --out
    assert run("frobnicate").returncode == 2
    (tmp_path / "file").write_text("x")
    assert run("build", "samples/", "--out", str(tmp_path / "file")).returncode == 2


def test_help_explains_options():
    text = run("build", "--help").stdout
    for option in ("--out", "--no-audit", "--quiet"):
        assert option in text


def test_clean_keeps_one_line_per_line():
    text = "첫 줄입니다\n\n  둘째   줄\n셋째 줄\n"
    result = run("clean", stdin=text)
    assert result.returncode == 0
    assert result.stdout == "첫 줄입니다\n\n둘째 줄\n셋째 줄\n"


def test_clean_removes_watermarks_from_real_paragraphs():
    if not GUIDE.exists():
        pytest.skip("real data missing")
    paragraphs = [line for line in GUIDE.read_text(encoding="utf-8").splitlines()
                  if len(line.split()) > 20 and not line.startswith("Printed by")][:200]
    shard_lines = [p for p in paragraphs if "sslee" in p.lower()]
    assert len(shard_lines) > 10
    result = run("clean", "--no-ocr-correction", stdin="\n".join(paragraphs) + "\n")
    cleaned = result.stdout.split("\n")[:-1]
    assert len(cleaned) == len(paragraphs)
    assert not any("sslee" in line.lower() for line in cleaned)
    # cleaning only deletes tokens, in order, and never a Korean word of two syllables or more
    for before, after in zip(paragraphs, cleaned):
        kept, removed = before.split(), []
        remaining = iter(after.split())
        expected = next(remaining, None)
        for token in kept:
            if token == expected:
                expected = next(remaining, None)
            else:
                removed.append(token)
        assert expected is None, (before, after)
        assert not [t for t in removed if re.fullmatch(r"[\uac00-\ud7a3]{2,}[.,]?", t)], removed


def test_schema_rejects_a_broken_record(guide_corpus):
    record = read_jsonl(guide_corpus / "questions.jsonl")[0]
    validate("question", record)
    broken = dict(record, answer=["Z9"])
    with pytest.raises(RecordInvalid, match="answer"):
        validate("question", broken)
    with pytest.raises(RecordInvalid):
        validate("question", {k: v for k, v in record.items() if k != "stem"})


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "x.jsonl"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.jsonl"]


def test_ids_are_stable_and_unique():
    assert question_id("a/b/guide.ocr.txt", 1, 2, [43]) == question_id("elsewhere/guide.ocr.txt", 1, 2, [50])
    assert disambiguate(["x", "y", "x"]) == ["x", "y", "x~2"]


def test_records_are_nfc_and_carry_no_absolute_path(guide_corpus):
    import unicodedata

    for name in ("questions.jsonl", "knowledge.jsonl"):
        text = (guide_corpus / name).read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text
        for record in read_jsonl(guide_corpus / name):
            assert not record["source"]["path"].startswith("/")
