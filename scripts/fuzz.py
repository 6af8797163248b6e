#!/usr/bin/env python3
"""Fuzz qbank's readers and extractors with seeded mutations of the samples.

    python3 scripts/fuzz.py [--count N] [--seed S] [--keep DIR] [--timeout S]

Each case is one of the samples (the Word exam dump, the text-layer PDF, the first pages
of the OCR'd guide excerpt) mutated one way: bytes flipped, inserted, deleted or
truncated; inside a DOCX package, an XML part's text mutated (so the zip stays valid and
the XML parser, numbering, styles and extractor are reached); a PDF's objects mutated;
lines of a text dump swapped, duplicated or given bad page headers. All cases are built
in ONE ``qbank build`` (``--no-ocr --no-ocr-correction``: fuzzing the parsers, not
Tesseract) and the run fails when the build hangs, crashes, writes an internal error or
a traceback, or writes records that do not validate.

Prints one line per failure class and a summary; exit 0 when no case failed. Used by
``tests/test_fuzz.py`` (a few hundred cases) and for longer runs by hand.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
#: How many pages of the guide excerpt a text case keeps (the build stays fast).
TEXT_PAGES = 4


def seeds() -> dict[str, bytes]:
    """The inputs mutated: small samples of each format."""
    excerpt = (SAMPLES / "guide-excerpt.ocr.txt").read_text(encoding="utf-8")
    pages = re.split(r"(?m)^(?=PAGE \d+ of \d+)", excerpt)
    return {
        "docx": (SAMPLES / "exam-dump.docx").read_bytes(),
        "pdf": (SAMPLES / "sample-questions.pdf").read_bytes(),
        "txt": "".join(pages[:TEXT_PAGES + 1]).encode("utf-8"),
    }


def _bytes(data: bytes, rng: random.Random) -> bytes:
    """Raw byte damage anywhere: flips, inserts, deletes, a truncation."""
    out = bytearray(data)
    how = rng.choice(["flip", "insert", "delete", "truncate", "splice"])
    if how == "truncate":
        return bytes(out[: rng.randrange(max(1, len(out)))])
    for _ in range(rng.randint(1, 16)):
        if not out:
            break
        at = rng.randrange(len(out))
        if how == "flip":
            out[at] ^= 1 << rng.randrange(8)
        elif how == "insert":
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif how == "delete":
            del out[at: at + rng.randint(1, 64)]
        else:
            start = rng.randrange(len(out))
            out[at:at] = out[start: start + rng.randint(1, 256)]
    return bytes(out)


#: XML-aware mutations of a Word part: each a (pattern, replacement) applied once.
XML_EDITS = [
    (rb'w:val="\d+"', [b'w:val="-1"', b'w:val="one"', b'w:val="1000000000"', b'w:val=""', b'']),
    (rb'w:ilvl w:val="\d+"', [b'w:ilvl', b'w:ilvl w:val="9"', b'w:ilvl w:val="x"']),
    (rb'w:numId w:val="\d+"', [b'w:numId', b'w:numId w:val="999"', b'w:numId w:val="0"']),
    (rb'<w:t(?: [^>]*)?>', [b'<w:t>\xff\xfe', b'<w:t>&amp;', b'<w:t>']),
    (rb'</w:p>', [b'</w:p></w:p>', b'', b'<w:p/></w:p>']),
    (rb'<w:tbl>', [b'<w:tbl><w:tr><w:tc><w:tbl>', b'']),
    (rb'w:styleId="[^"]*"', [b'', b'w:styleId=""', b'w:styleId="Normal"']),
    (rb'<w:basedOn w:val="[^"]*"/>', [b'<w:basedOn w:val="Normal"/>', b'']),
    (rb'<w:br/>', [b'<w:br/>' * 50, b'']),
]


def _docx(data: bytes, rng: random.Random) -> bytes:
    """A Word package with one XML part's content damaged (or raw bytes, sometimes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    xml_parts = [n for n in parts if n.endswith(".xml")]
    name = rng.choice(xml_parts)
    body = parts[name]
    if rng.random() < 0.7:
        pattern, choices = rng.choice(XML_EDITS)
        matches = list(re.finditer(pattern, body))
        if matches:
            m = rng.choice(matches)
            body = body[: m.start()] + rng.choice(choices) + body[m.end():]
        else:
            body = _bytes(body, rng)
    else:
        body = _bytes(body, rng)
    parts[name] = body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part, content in parts.items():
            # a fixed member date: writestr(name) stamps the clock's, so two runs of one
            # seed differed whenever they straddled a two-second tick
            info = zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, content)
    return buffer.getvalue()


def _text(data: bytes, rng: random.Random) -> bytes:
    """Line-level damage of an OCR text dump: headers broken, lines swapped/duplicated."""
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(lines))
        how = rng.choice(["header", "swap", "dup", "drop", "bytes", "long"])
        if how == "header":
            lines[at] = rng.choice([b"PAGE 0 of 3", b"PAGE 99 of 2", b"PAGE x of y", b"PAGE 1 of 1"])
        elif how == "swap":
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "dup":
            lines[at:at] = [lines[at]] * rng.randint(1, 50)
        elif how == "drop":
            del lines[at]
        elif how == "long":
            lines[at] = lines[at] * rng.randint(50, 400)
        else:
            lines[at] = _bytes(lines[at], rng)
        if not lines:
            lines = [b""]
    return b"\n".join(lines)


MUTATORS = {"docx": [_docx, _bytes], "pdf": [_bytes], "txt": [_text, _bytes]}


def generate(out: Path, count: int, seed: int) -> list[Path]:
    """``count`` mutated files in ``out`` (deterministic for a seed)."""
    rng = random.Random(seed)
    inputs = seeds()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        kind = rng.choice(sorted(inputs))
        mutate = rng.choice(MUTATORS[kind])
        path = out / f"case{index:05d}.{kind}"
        path.write_bytes(mutate(inputs[kind], rng))
        paths.append(path)
    return paths


def run(folder: Path, corpus: Path, timeout: float) -> dict:
    """Build every case in one ``qbank build``; classify what went wrong."""
    started = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-m", "qbank.cli", "build", str(folder), "--out", str(corpus),
                                 "--no-ocr", "--no-ocr-correction", "--quiet"],
                                capture_output=True, text=True, timeout=timeout, cwd=REPO,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
    except subprocess.TimeoutExpired:
        return {"hang": True, "seconds": timeout}
    seconds = time.perf_counter() - started
    report = {"hang": False, "seconds": round(seconds, 1), "exit": result.returncode,
              "traceback": "Traceback" in result.stderr, "stderr_tail": result.stderr[-2000:]}
    manifest_path = corpus / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        errors = manifest["errors"]
        report.update(sources=manifest["totals"]["sources"], failed=manifest["totals"]["failed"],
                      questions=manifest["totals"]["questions"],
                      internal=[e for e in errors if "internal error" in e or "invalid output" in e],
                      multiline=[e for e in errors if "\n" in e])
    else:
        report.update(sources=0, failed=0, questions=0, internal=[], multiline=[], no_manifest=True)
    return report


def failures(report: dict) -> list[str]:
    found = []
    if report.get("hang"):
        found.append(f"build hung (> {report['seconds']} s)")
        return found
    if report.get("no_manifest"):
        found.append(f"no manifest written (exit {report['exit']}): {report['stderr_tail'][-300:]}")
    if report["exit"] not in (0, 1):
        found.append(f"exit status {report['exit']}")
    if report["traceback"]:
        found.append("traceback on stderr")
    found.extend(f"internal error: {e}" for e in report["internal"])
    found.extend(f"error over several lines: {e[:200]!r}" for e in report["multiline"])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the cases and the corpus here (kept)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds the whole build may take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        generate(base / "cases", args.count, args.seed)
        report = run(base / "cases", base / "corpus", args.timeout)
    found = failures(report)
    print(f"cases {args.count}  seed {args.seed}  seconds {report.get('seconds')}  "
          f"read {report.get('sources', 0) - report.get('failed', 0)}  rejected {report.get('failed', 0)}  "
          f"questions {report.get('questions', 0)}  failures {len(found)}")
    for line in found[:50]:
        print("  FAIL", line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
