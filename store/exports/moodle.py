"""Moodle XML (Question bank → Import → Moodle XML format).

One ``<quiz>`` file. Questions are filed by category, one ``<question type="category">``
entry ``$course$/qbank/<source stem>/<module>`` before the questions of each (a source
without modules has no module level); within a category questions keep corpus order.

- single answer: ``multichoice`` with ``<single>true</single>``, the correct answer
  fraction 100, the others 0;
- several answers: ``<single>false</single>``, each correct answer an equal share of 100
  and each wrong one minus an equal share of 100 (the grades Moodle lists; see
  :func:`~store.exports.common.multi_weights`);
- matching: ``matching``, one ``<subquestion>`` per option with its target as
  ``<answer>``, unused ``match_targets`` as subquestions without text (Moodle's
  distractors).

Texts are HTML (escaped by the XML writer, newlines ``<br>``); ``<generalfeedback>`` is
the explanation (a matching question's rationales follow it), each answer's
``<feedback>`` its rationale. A bilingual question keeps its translation in multilang
spans (``<span lang="ko" class="multilang">``: Moodle's multilang filter shows the
reader's language). Pictures with a file in ``DIR/media`` are embedded in the question
text as base64 ``<file>``, shown by ``<img src="@@PLUGINFILE@@/name">``; others are
skipped and counted.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from store.corpus import Corpus
from store.exports import common as c
from store.exports.media import NOT_AVAILABLE, pictures


def _sub(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
    from lxml import etree

    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _text(parent: Any, tag: str, text: str, fmt: str | None = "html") -> Any:
    """``<tag format="html"><text>…</text></tag>``."""
    element = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(element, "text", text)
    return element


def _question_text(element: Any, q: dict[str, Any], corpus_dir: Path, report: c.Report) -> None:
    found, missing = pictures(corpus_dir, q)
    report.note(NOT_AVAILABLE, missing)
    body = f"<p>{c.multilang(c.stem_versions(q))}</p>"
    files = []
    for picture in found:
        try:
            data = picture.data()
        except OSError:
            report.note(NOT_AVAILABLE)
            continue
        body += (f'<p><img src="@@PLUGINFILE@@/{html.escape(picture.name)}" '
                 f'alt="{html.escape(c.one_line(picture.text) or picture.ref)}"></p>')
        files.append((picture.name, base64.b64encode(data).decode("ascii")))
    text = _text(element, "questiontext", body)
    for name, data in files:
        _sub(text, "file", data, name=name, path="/", encoding="base64")


def _common(question: Any, q: dict[str, Any], feedback: str, corpus_dir: Path, report: c.Report) -> None:
    _sub(_sub(question, "name"), "text", c.question_name(q))
    _question_text(question, q, corpus_dir, report)
    _text(question, "generalfeedback", feedback)
    _sub(question, "defaultgrade", "1")
    _sub(question, "penalty", "0.3333333")
    _sub(question, "hidden", "0")
    _sub(question, "idnumber", q["id"])


def _answer_feedbacks(question: Any) -> None:
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(question, tag, "")


def grade_problem(q: dict[str, Any]) -> str | None:
    """Why Moodle cannot grade the question (None when it can): a multi-answer question
    whose share of 100 per correct answer is not a grade Moodle lists."""
    if c.is_multi(q):
        n = len(set(c.correct_labels(q)))
        if c.multi_weights(n, len(c.options(q)) - n) is None:
            return f"with {n} correct answers (no Moodle grade is 100/{n})"
    return None


def _multichoice(quiz: Any, q: dict[str, Any], corpus_dir: Path, report: c.Report) -> None:
    opts = c.options(q)
    correct = set(c.correct_labels(q))
    right, wrong = c.multi_weights(len(correct), len(opts) - len(correct)) if c.is_multi(q) else ("100", "0")
    question = _sub(quiz, "question", type="multichoice")
    _common(question, q, c.multilang(c.explanation_versions(q)), corpus_dir, report)
    _sub(question, "single", "false" if c.is_multi(q) else "true")
    _sub(question, "shuffleanswers", "true")
    _sub(question, "answernumbering", "ABCD")
    _sub(question, "showstandardinstruction", "0")
    _answer_feedbacks(question)
    why = c.rationales(q)
    for o in opts:
        answer = _text(question, "answer", c.multilang(c.option_versions(q, o["label"], o["text"])))
        answer.set("fraction", right if o["label"] in correct else wrong)
        _text(answer, "feedback", c.as_html(why.get(o["label"], "")))


def _matching(quiz: Any, q: dict[str, Any], corpus_dir: Path, report: c.Report) -> None:
    pairs, extra = c.matching_pairs(q)
    feedback = c.multilang(c.explanation_versions(q))
    why = c.rationales(q)
    if why:
        feedback += "".join(f"<p>{html.escape(label)}: {c.as_html(text)}</p>" for label, text in why.items())
    question = _sub(quiz, "question", type="matching")
    _common(question, q, feedback, corpus_dir, report)
    _sub(question, "shuffleanswers", "true")
    _answer_feedbacks(question)
    for label, text, target in pairs:
        sub = _text(question, "subquestion", c.multilang(c.option_versions(q, label, text)))
        _sub(_sub(sub, "answer"), "text", c.one_line(target))
    for target in extra:
        sub = _text(question, "subquestion", "")
        _sub(_sub(sub, "answer"), "text", c.one_line(target))


def by_category(questions: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Questions grouped by Moodle category, categories in order of first appearance."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for q in questions:
        groups.setdefault(c.moodle_category(q), []).append(q)
    return list(groups.items())


def moodle_xml(corpus: Corpus, report: c.Report) -> bytes:
    """The questions of ``corpus`` as a Moodle XML document."""
    from lxml import etree

    quiz = etree.Element("quiz")
    kept = c.fitting(corpus.questions, grade_problem, report)
    for category, questions in by_category(kept):
        entry = _sub(quiz, "question", type="category")
        _sub(_sub(entry, "category"), "text", category)
        _text(entry, "info", "")
        for q in questions:
            (_matching if c.is_matching(q) else _multichoice)(quiz, q, corpus.path, report)
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_moodle(corpus: Corpus, out: Path, report: c.Report) -> list[Path]:
    data = moodle_xml(corpus, report)
    return c.write_file(out, lambda path: Path(path).write_bytes(data))
