"""GIFT (Moodle: Question bank → Import → GIFT format).

One UTF-8 text file, escaped the way Moodle's own GIFT exporter escapes: ``\\ ~ = # { } :``
get a backslash in titles, texts, answers and feedback; texts are ``[html]`` (``& < >``
escaped, newlines ``<br>``), so no raw newline or ``->`` reaches a question, and a
bilingual question keeps its translation in multilang spans as in Moodle XML.

- ``$CATEGORY: $course$/qbank/<source stem>/<module>`` before the questions of each
  category (as in Moodle XML);
- ``::Q12 q-…::`` the title (number and id);
- single answer: ``=right ~wrong``; several answers: ``~%50%`` on each correct option
  (equal shares of 100) and ``~%-50%`` on each wrong one (minus equal shares), the grades
  Moodle lists (no ``=``: Moodle then allows several answers);
- matching: ``=option -> target``, unused targets as ``= -> target``;
- ``#feedback`` after an option is its rationale, ``####`` the explanation.

Pictures are not carried (GIFT has no files): counted as left out of their question.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from store.corpus import Corpus
from store.exports import common as c
from store.exports.moodle import by_category, grade_problem

_SPECIAL = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
            "\n": "\\n"}

PICTURES_NOT_CARRIED = "pictures not exported (GIFT has no files; Moodle XML has)"


def escape(text: str) -> str:
    """GIFT's escapes: a backslash before ``\\ ~ = # { } :``; a newline ``\\n``."""
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def _answer(html_text: str) -> str:
    """An answer's HTML escaped; a leading ``%`` (read as a grade) as ``&#37;``."""
    return escape("&#37;" + html_text[1:] if html_text.startswith("%") else html_text)


def _feedback(text: str) -> str:
    return f" #{escape(text)}" if text else ""


def gift_question(q: dict[str, Any]) -> str:
    """One question in GIFT (no trailing blank line)."""
    lines = [f"// {q['id']}", f"::{escape(c.question_name(q))}::[html]{escape(c.multilang(c.stem_versions(q)))} {{"]
    why = c.rationales(q)
    if c.is_matching(q):
        pairs, extra = c.matching_pairs(q)
        for label, text, target in pairs:
            lines.append(f"\t={_answer(c.multilang(c.option_versions(q, label, text)))}"
                         f" -> {escape(c.one_line(target))}")
        lines += [f"\t= -> {escape(c.one_line(target))}" for target in extra]
        explanation = c.multilang(c.explanation_versions(q)) + "".join(
            f"<p>{c.as_html(label)}: {c.as_html(text)}</p>" for label, text in why.items())
    else:
        opts = c.options(q)
        correct = set(c.correct_labels(q))
        if c.is_multi(q):
            right, wrong = c.multi_weights(len(correct), len(opts) - len(correct))
            marks = {True: f"~%{right}%", False: f"~%{wrong}%"}
        else:
            marks = {True: "=", False: "~"}
        for o in opts:
            text = _answer(c.multilang(c.option_versions(q, o["label"], o["text"])))
            lines.append(f"\t{marks[o['label'] in correct]}{text}{_feedback(c.as_html(why.get(o['label'], '')))}")
        explanation = c.multilang(c.explanation_versions(q))
    if explanation:
        lines.append(f"\t####{escape(explanation)}")
    lines.append("}")
    return "\n".join(lines)


def gift_text(corpus: Corpus, report: c.Report) -> str:
    blocks = []
    kept = c.fitting(corpus.questions, grade_problem, report)
    for q in kept:
        report.note(PICTURES_NOT_CARRIED, len(q.get("images") or []))
    for category, questions in by_category(kept):
        blocks.append(f"$CATEGORY: {category}")
        blocks += [gift_question(q) for q in questions]
    return "".join(block + "\n\n" for block in blocks)


def write_gift(corpus: Corpus, out: Path, report: c.Report) -> list[Path]:
    text = gift_text(corpus, report)
    return c.write_file(out, lambda path: Path(path).write_text(text, encoding="utf-8"))
