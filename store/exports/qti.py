"""QTI 1.2 zip for Canvas (Settings → Import course content → QTI .zip file), made by
text2qti.

text2qti (PyPI, maintained) turns a plain-text quiz into Canvas's QTI package: item XML,
``assessment_meta.xml``, ``imsmanifest.xml`` and the pictures. Each question is written
in its text format (``Title:``, ``1.``, ``*a)`` / ``a)`` for one answer, ``[*]`` / ``[ ]``
for several, ``...`` feedback) and text2qti does the rest.

text2qti reads every text as Markdown (with "smart" quotes, LaTeX between ``$``, siunitx
macros, backslash escapes). Exam text is no Markdown, so every ASCII character other than
letters, digits, spaces and ``, ? ; / : % @`` goes in as an HTML character reference
(``*`` is ``&#42;``, ``.`` is ``&#46;``: ``...`` would become an ellipsis),
which Markdown passes through untouched and the quiz shows as the character itself;
newlines become ``<br>``. Canvas has no multilang: a bilingual question shows its
translation below the text and each option, in ``<span lang="…">``. Each stem starts
with an empty ``<span data-qbank-id="…">`` and each option with an empty
``<span data-qbank-label="…">``: text2qti refuses two questions with one stem and two
options with one text, which sources have (a question asked twice with other options; a
source printing an option twice), and the export keeps what the source says.

One zip holds one quiz (assessment) per source, titled with the source path: text2qti
makes one package per quiz, and their manifests are merged into one. Left out, and
counted: matching questions (text2qti has no matching type), and any other question
text2qti would refuse (each is checked alone first, so that one question cannot sink its
quiz), with text2qti's reason. Explanations are the question's general feedback, rationales
the options' feedback. Pictures with a file in ``DIR/media`` go into the zip.
"""
from __future__ import annotations

import html
import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from store.corpus import Corpus
from store.exports import common as c
from store.exports.media import NOT_AVAILABLE, pictures

MANIFEST = "imsmanifest.xml"
_SAFE_PATH = re.compile(r"[A-Za-z0-9_./-]+")
#: ASCII that neither Markdown (mid-line) nor text2qti reads as markup
_PLAIN = frozenset(" ,?;/:%@")


def inert(text: Any) -> str:
    """Plain text as HTML that Markdown leaves alone: ASCII punctuation as character
    references, newlines ``<br>``."""
    out = []
    for ch in c.clean(text):
        if ch == "\n":
            out.append("<br>")
        elif ch.isascii() and not ch.isalnum() and ch not in _PLAIN:
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def _bilingual(versions: list[tuple[str, str]]) -> str:
    first = inert(versions[0][1]) if versions else ""
    return first + "".join(f'<br><span lang="{html.escape(lang)}">{inert(text)}</span>'
                           for lang, text in versions[1:])


def quiz_block(number: int, q: dict[str, Any], images: list[Path]) -> str:
    """One question in text2qti's format."""
    stem = (f'<span data-qbank-id="{html.escape(q["id"])}"></span>' + _bilingual(c.stem_versions(q))
            + "".join(f"![picture {n}]({path.as_posix()})" for n, path in enumerate(images, start=1)))
    lines = [f"Title: {c.question_name(q)}", f"{number}. {stem}"]
    explanation = c.explanation_versions(q)
    if explanation:
        lines.append(f"... {_bilingual(explanation)}")
    correct = set(c.correct_labels(q))
    why = c.rationales(q)
    multi = c.is_multi(q)
    for letter, o in zip("abcdefghijklmnopqrstuvwxyz", c.options(q)):
        right = o["label"] in correct
        mark = ("[*]" if right else "[ ]") if multi else (f"*{letter})" if right else f"{letter})")
        lines.append(f'{mark} <span data-qbank-label="{html.escape(o["label"])}"></span>'
                     f"{_bilingual(c.option_versions(q, o['label'], o['text']))}")
        if o["label"] in why:
            lines.append(f"... {inert(why[o['label']])}")
    return "\n".join(lines)


def _refusal(block: str) -> str | None:
    """text2qti's reason for refusing one question, or None when it takes it."""
    from text2qti.config import Config
    from text2qti.err import Text2qtiError
    from text2qti.quiz import Quiz

    try:
        Quiz(block, config=Config())
    except Text2qtiError as exc:
        return str(exc).strip().splitlines()[-1].rstrip(".")
    return None


def _merge(packages: list[bytes]) -> bytes:
    """One zip of several text2qti packages: every member once, the manifests' resources
    in one manifest."""
    from lxml import etree

    out = io.BytesIO()
    manifest = None
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as merged:
        names: set[str] = set()
        for package in packages:
            with zipfile.ZipFile(io.BytesIO(package)) as part:
                for info in part.infolist():
                    if info.filename == MANIFEST:
                        tree = etree.fromstring(part.read(info))
                        if manifest is None:
                            manifest = tree
                        else:
                            resources = manifest.find("{*}resources")
                            known = {r.get("identifier") for r in resources}
                            for resource in tree.find("{*}resources"):
                                if resource.get("identifier") not in known:
                                    resources.append(resource)
                    elif info.filename not in names:
                        names.add(info.filename)
                        merged.writestr(info, part.read(info))
        if manifest is not None:
            merged.writestr(MANIFEST, etree.tostring(manifest, xml_declaration=True, encoding="UTF-8"))
    return out.getvalue()


def qti_zip(corpus: Corpus, report: c.Report) -> bytes:
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    by_source: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="qbank-qti-") as tmp:
        for q in corpus.questions:
            if c.is_matching(q):
                report.leave_out("not QTI-shaped (matching: text2qti has no matching questions)")
                continue
            found, missing = pictures(corpus.path, q)
            report.note(NOT_AVAILABLE, missing)
            images = []
            for picture in found:
                copy = Path(tmp) / picture.name
                if not _SAFE_PATH.fullmatch(copy.as_posix()):
                    report.note(NOT_AVAILABLE)
                    continue
                try:
                    if not copy.exists():
                        shutil.copyfile(picture.path, copy)
                except OSError:
                    report.note(NOT_AVAILABLE)
                    continue
                images.append(copy)
            source = q.get("source") if isinstance(q.get("source"), dict) else {}
            blocks = by_source.setdefault(c.one_line(source.get("path")) or "unknown source", [])
            block = quiz_block(len(blocks) + 1, q, images)
            refusal = _refusal(block)
            if refusal:
                report.leave_out(f"not QTI-shaped (text2qti: {refusal})")
            else:
                blocks.append(block)
        packages = []
        for source, blocks in by_source.items():
            if blocks:
                text = f"Quiz title: {source}\nShuffle answers: true\n\n" + "\n\n".join(blocks) + "\n"
                packages.append(QTI(Quiz(text, config=Config())).zip_bytes())
    return _merge(packages)


def write_qti(corpus: Corpus, out: Path, report: c.Report) -> list[Path]:
    from text2qti.err import Text2qtiError

    try:
        data = qti_zip(corpus, report)
    except Text2qtiError as exc:  # checked question by question first: not expected
        raise c.ExportError(f"--to qti: text2qti failed: {' '.join(str(exc).split())}") from None
    return c.write_file(out, lambda path: Path(path).write_bytes(data))
