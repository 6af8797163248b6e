"""Shared fixtures: the real guide from ../shared and corpora built from it once per run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
GUIDE = SHARED / "data" / "guide" / "ml-engineering-on-aws-ko.ocr.txt"
GOLD = SHARED / "gold"
SAMPLES = REPO / "samples"

#: Strings that only page furniture contains (issue 2's list).
FURNITURE_STRINGS = ["Printed by", "Ssleeee", "NOT Com", "Nmazon", "Wcb Scrvices"]

needs_shared = pytest.mark.skipif(not GUIDE.exists(), reason=f"real data not found at {GUIDE}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session", autouse=True)
def session_build_cache(tmp_path_factory):
    """``qbank build`` uses a cache by default: builds of session and module fixtures
    (set up before any test's own cache below) use this one, never the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(autouse=True)
def own_build_cache(tmp_path_factory, monkeypatch):
    """Every test its own empty build cache: no test reads what another stored.
    Subprocesses inherit the variable."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(scope="session")
def guide_document():
    if not GUIDE.exists():
        pytest.skip(f"real data not found at {GUIDE}")
    from ingest import read_document

    return read_document(GUIDE, "guide.ocr.txt")


@pytest.fixture(scope="session")
def guide_pages(guide_document):
    from extract.furniture import remove_furniture

    return remove_furniture(guide_document)


@pytest.fixture(scope="session")
def guide_structure(guide_pages):
    from extract.structure import analyse_structure

    return analyse_structure(guide_pages)


@pytest.fixture(scope="session")
def guide_corpus(tmp_path_factory):
    """The whole guide built by the real pipeline into a temp folder."""
    if not GUIDE.exists():
        pytest.skip(f"real data not found at {GUIDE}")
    from qbank.pipeline import build

    out = tmp_path_factory.mktemp("guide-corpus")
    report = build([str(GUIDE)], out, progress=False)
    assert not report.failed, report.failed
    return out


@pytest.fixture(scope="session")
def samples_corpus(tmp_path_factory):
    """``samples/`` built by the real pipeline (pictures kept in media/) into a temp folder."""
    from qbank.pipeline import build

    out = tmp_path_factory.mktemp("samples-corpus") / "corpus"
    report = build([str(SAMPLES)], out, progress=False, compare=False)
    assert not report.failed, report.failed
    return out


@pytest.fixture(scope="session")
def gold_questions():
    if not GOLD.exists():
        pytest.skip("gold not found")
    return read_jsonl(GOLD / "guide_questions.jsonl")


@pytest.fixture(scope="session")
def gold_modules():
    if not GOLD.exists():
        pytest.skip("gold not found")
    return json.loads((GOLD / "guide_modules.json").read_text(encoding="utf-8"))


def assert_bad_file_fails_alone(tmp_path: Path, name: str, data: bytes, message: str,
                                good: Path, good_questions: int) -> None:
    """A broken input gives a one-line error naming it, and a batch with a good file
    still builds that file's questions."""
    from ingest import IngestError, read_document
    from qbank.extractors import Options
    from qbank.pipeline import build

    bad = tmp_path / name
    bad.write_bytes(data)
    with pytest.raises(IngestError) as error:
        read_document(bad, name)
    assert str(error.value).startswith(f"{name}: ") and message in str(error.value)
    assert "\n" not in str(error.value)
    report = build([str(bad), str(good)], tmp_path / "out", progress=False, options=Options(ocr_lang=None))
    assert len(report.failed) == 1 and name in report.failed[0].error
    assert len(read_jsonl(tmp_path / "out" / "questions.jsonl")) == good_questions
