"""Degrade, don't drop: a stray byte that is not UTF-8 costs that byte, not the source;
a file in another encoding is refused in one line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _build(tmp_path: Path, *files: Path) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "qbank.cli", "build", *map(str, files), "--out", str(out),
                             "--no-ocr-correction"], capture_output=True, text=True, timeout=120)
    return result, json.loads((out / "manifest.json").read_text())


def test_a_stray_byte_is_replaced_and_flagged(tmp_path):
    note = tmp_path / "note.txt"
    note.write_bytes("Question #1\nWhich is serverless?\nA. EC2\nB. Lambda\nCorrect Answer: B\n".encode()
                     .replace(b"serverless", b"server\xffless"))
    result, manifest = _build(tmp_path, note)
    assert result.returncode == 0, result.stderr
    (source,) = manifest["sources"]
    assert source["status"] == "ok" and source["counts"]["questions"] == 1
    assert source["issues"] == [{"component": "text", "flag": "encoding_repaired",
                                 "message": "1 undecodable byte replaced", "page": None}]


def test_a_file_in_another_encoding_is_refused_alone(tmp_path):
    korean = tmp_path / "cp949.txt"
    korean.write_bytes(("정답은 B입니다. 세이지메이커 엔드포인트를 배포합니다. " * 20).encode("cp949"))
    fine = tmp_path / "fine.txt"
    fine.write_text("A short note about endpoints and models for the exam.\n", encoding="utf-8")
    result, manifest = _build(tmp_path, korean, fine)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("qbank: error:")]
    assert len(errors) == 1 and "cp949.txt" in errors[0] and "not UTF-8 text" in errors[0]
    assert {s["path"].rsplit("/", 1)[-1]: s["status"] for s in manifest["sources"]} == {
        "cp949.txt": "error", "fine.txt": "ok"}
