"""Aiken (Moodle: Question bank → Import → Aiken format).

Aiken holds single-answer multiple choice and nothing else: a one-line question, one
line per option ``A. text``, ``ANSWER: B``, a blank line. Newlines inside a stem or an
option are collapsed to spaces. Moodle maps the answer letter to the option's position,
so options are lettered anew A, B, C… in order (an option list with a gap, A C D, reads
A B C) and the answer follows its option.

Left out, and counted: multi-answer and matching questions, more than 26 options, and a
stem that would read as an option or answer line. Not carried: explanations,
rationales, translations, pictures, categories (Aiken has none of them).
"""
from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

from store.corpus import Corpus
from store.exports import common as c

#: a line Moodle's Aiken reader takes for an option or the answer
_MARKER = re.compile(r"^(?:[A-Z][).][ \t]|ANSWER:)")


def aiken_problem(q: dict[str, Any]) -> str | None:
    if c.is_matching(q):
        return "not Aiken-shaped (matching)"
    if c.is_multi(q):
        return "not Aiken-shaped (multi answer)"
    if len(c.options(q)) > 26:
        return "not Aiken-shaped (more than 26 options)"
    stem = c.one_line(q.get("stem"))
    if not stem or _MARKER.match(stem):
        return "not Aiken-shaped (stem reads as an option line)"
    if any(not c.one_line(o["text"]) for o in c.options(q)):
        return "not Aiken-shaped (an empty option)"
    return None


def aiken_question(q: dict[str, Any]) -> str:
    lines = [c.one_line(q.get("stem"))]
    answer = c.correct_labels(q)[0]
    letters = dict(zip((o["label"] for o in c.options(q)), string.ascii_uppercase))
    lines += [f"{letters[o['label']]}. {c.one_line(o['text'])}" for o in c.options(q)]
    lines.append(f"ANSWER: {letters[answer]}")
    return "\n".join(lines)


def aiken_text(corpus: Corpus, report: c.Report) -> str:
    blocks = [aiken_question(q) for q in c.fitting(corpus.questions, aiken_problem, report)]
    return "".join(block + "\n\n" for block in blocks)


def write_aiken(corpus: Corpus, out: Path, report: c.Report) -> list[Path]:
    text = aiken_text(corpus, report)
    return c.write_file(out, lambda path: Path(path).write_text(text, encoding="utf-8"))
