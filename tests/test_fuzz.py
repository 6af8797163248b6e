"""A few hundred seeded mutations of the samples (scripts/fuzz.py) built in one batch:
no hang, no internal error, no traceback, every error one line, only valid records."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz", REPO / "scripts" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_samples_fail_alone_and_cleanly(tmp_path, seed):
    fuzz = _fuzz()
    fuzz.generate(tmp_path / "cases", 200, seed)
    report = fuzz.run(tmp_path / "cases", tmp_path / "corpus", timeout=240)
    assert fuzz.failures(report) == []
    assert report["sources"] == 200
    assert 0 < report["failed"] < 200  # some mutations break a file, not all of them


def test_cases_are_deterministic(tmp_path):
    fuzz = _fuzz()
    first = [p.read_bytes() for p in fuzz.generate(tmp_path / "a", 30, 7)]
    second = [p.read_bytes() for p in fuzz.generate(tmp_path / "b", 30, 7)]
    assert first == second
