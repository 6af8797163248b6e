"""What every writer of ``qbank export`` shares: the error, the account of what was left
out, atomic files, text as HTML, the two languages of a bilingual question, categories,
and Moodle's grade fractions.

A question record is read as CORPUS.md has it: ``options`` ``[{label, text}]``,
``answer`` labels (a matching question's answer is ``"A=target"`` strings, its unused
right-hand choices in ``match_targets``), ``explanation``, ``rationales``
``[{label, text}]``, ``translations`` ``{lang: {stem, options, explanation?}}``.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any


class ExportError(Exception):
    """The export cannot be written (one line, naming the path)."""


@dataclass
class Report:
    """What an export left out, and why: one count per reason (a question is counted
    once, under the first reason that took it out), and notes on parts of questions that
    a format cannot carry (pictures)."""
    left_out: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def leave_out(self, reason: str) -> None:
        self.left_out[reason] += 1

    def note(self, what: str, count: int = 1) -> None:
        if count:
            self.notes[what] += count

    def line(self) -> str | None:
        """``left out 3 questions: 2 without an answer, 1 not Aiken-shaped (multi answer)``,
        then the notes after ``;`` (``pictures not exported (no file in DIR/media): 2``);
        None when nothing was left out or noted."""
        parts = []
        total = sum(self.left_out.values())
        if total:
            reasons = ", ".join(f"{n} {reason}" for reason, n in
                                sorted(self.left_out.items(), key=lambda item: (-item[1], item[0])))
            parts.append(f"left out {total} question{'s' if total != 1 else ''}: {reasons}")
        parts += [f"{what}: {n}" for what, n in sorted(self.notes.items())]
        return "; ".join(parts) or None


# -- files ---------------------------------------------------------------------------------

def write_files(out: Path, writers: dict[str, Callable[[str], None]]) -> list[Path]:
    """Write each ``name`` through ``writer(temp_path)`` into a temp file in the folder
    ``out``, then rename all into place; on any failure remove the temp files and raise
    :class:`ExportError`."""
    temps: list[tuple[str, Path]] = []
    try:
        for name, writer in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            temps.append((tmp, out / name))
            writer(tmp)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; exports are ordinary files
        for tmp, target in temps:
            os.replace(tmp, target)
    except OSError as exc:
        raise ExportError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
    return [target for _, target in temps]


def write_file(out: Path, writer: Callable[[str], None]) -> list[Path]:
    """The one file ``out`` written through ``writer(temp_path)`` beside it and renamed
    into place (its folder is created when missing)."""
    if out.is_dir():
        raise ExportError(f"--out {out}: is a folder; this format writes one file")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"--out {out}: cannot create its folder: {exc.strerror or exc}") from None
    return write_files(out.parent, {out.name: writer})


# -- text ----------------------------------------------------------------------------------

#: characters XML 1.0 cannot hold (and the stray C0 controls OCR leaves)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: Any) -> str:
    """A field's text as every format can hold it: ``None`` is empty, line ends are
    ``\\n``, characters XML cannot hold are dropped."""
    if not isinstance(text, str):
        return ""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: Any) -> str:
    """``clean`` with every run of whitespace (newlines too) one space."""
    return " ".join(clean(text).split())


def as_html(text: Any) -> str:
    """Plain text as HTML: ``& < >`` escaped, newlines ``<br>``."""
    return html.escape(clean(text), quote=False).replace("\n", "<br>")


def multilang(versions: list[tuple[str, str]]) -> str:
    """One text in its languages as HTML: a single version as it is, several as Moodle
    multilang spans ``<span lang="ko" class="multilang">…</span>`` (the question's own
    language first)."""
    if len(versions) <= 1:
        return as_html(versions[0][1]) if versions else ""
    return "".join(f'<span lang="{html.escape(lang)}" class="multilang">{as_html(text)}</span>'
                   for lang, text in versions)


# -- reading a question --------------------------------------------------------------------

def lang_of(q: dict[str, Any]) -> str:
    return q.get("lang") if isinstance(q.get("lang"), str) and q.get("lang") else "und"


def translations(q: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{lang: {stem, options, explanation}}``, only the well-formed ones, sorted, the
    question's own language left out."""
    found = q.get("translations") if isinstance(q.get("translations"), dict) else {}
    return {lang: t for lang, t in sorted(found.items())
            if isinstance(t, dict) and lang != q.get("lang") and clean(t.get("stem")).strip()}


def options(q: dict[str, Any]) -> list[dict[str, str]]:
    return [{"label": o["label"], "text": clean(o.get("text"))} for o in q.get("options") or []
            if isinstance(o, dict) and isinstance(o.get("label"), str)]


def stem_versions(q: dict[str, Any]) -> list[tuple[str, str]]:
    return [(lang_of(q), clean(q.get("stem")))] + [(lang, clean(t["stem"])) for lang, t in translations(q).items()]


def option_versions(q: dict[str, Any], label: str, text: str) -> list[tuple[str, str]]:
    versions = [(lang_of(q), text)]
    for lang, t in translations(q).items():
        for o in t.get("options") or []:
            if isinstance(o, dict) and o.get("label") == label and clean(o.get("text")).strip():
                versions.append((lang, clean(o["text"])))
                break
    return versions


def explanation_versions(q: dict[str, Any]) -> list[tuple[str, str]]:
    versions = [(lang_of(q), clean(q.get("explanation")))] if clean(q.get("explanation")).strip() else []
    for lang, t in translations(q).items():
        if clean(t.get("explanation")).strip():
            versions.append((lang, clean(t["explanation"])))
    return versions


def rationales(q: dict[str, Any]) -> dict[str, str]:
    """``{label: why this option is wrong}``."""
    return {r["label"]: clean(r.get("text")) for r in q.get("rationales") or []
            if isinstance(r, dict) and isinstance(r.get("label"), str) and clean(r.get("text")).strip()}


def correct_labels(q: dict[str, Any]) -> list[str]:
    return [a for a in q.get("answer") or [] if isinstance(a, str)]


def is_matching(q: dict[str, Any]) -> bool:
    return q.get("kind") == "matching"


def is_multi(q: dict[str, Any]) -> bool:
    return not is_matching(q) and (q.get("kind") == "multi" or len(correct_labels(q)) > 1)


def matching_pairs(q: dict[str, Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """A matching question as ``[(label, option text, target)]`` in option order, and the
    right-hand choices no option is matched to (distractors)."""
    targets = dict(a.split("=", 1) for a in correct_labels(q) if "=" in a)
    pairs = [(o["label"], o["text"], clean(targets[o["label"]])) for o in options(q) if o["label"] in targets]
    used = {target for _, _, target in pairs}
    extra = []
    for target in q.get("match_targets") or []:
        if isinstance(target, str) and clean(target) not in used and clean(target) not in extra:
            extra.append(clean(target))
    return pairs, extra


def quiz_problem(q: dict[str, Any]) -> str | None:
    """Why the question cannot be a quiz question (None when it can): a quiz question
    has an answer among its options and at least two options."""
    answer = correct_labels(q)
    if not answer:
        return "without an answer"
    opts = options(q)
    if len(opts) < 2:
        return "with fewer than two options"
    if len({o["label"] for o in opts}) < len(opts):
        return "with two options under one label"
    if is_matching(q):
        pairs, _ = matching_pairs(q)
        return None if len(pairs) >= 2 else "matching without two matched options"
    labels = {o["label"] for o in opts}
    return None if all(a in labels for a in answer) else "answer not among the options"


# -- where a question goes -----------------------------------------------------------------

def source_stem(q: dict[str, Any]) -> str:
    source = q.get("source") if isinstance(q.get("source"), dict) else {}
    path = source.get("path") if isinstance(source.get("path"), str) else ""
    return one_line(PurePosixPath(path).stem) or "unknown source"


def module_name(q: dict[str, Any]) -> str | None:
    """``Module 3: ML용 데이터 처리``, ``Module 3``, the title alone, or None."""
    module, title = q.get("module"), one_line(q.get("module_title"))
    if isinstance(module, int) and not isinstance(module, bool):
        return f"Module {module}: {title}" if title else f"Module {module}"
    return title or None


def category_parts(q: dict[str, Any]) -> list[str]:
    """The category a question files under, below ``qbank``: source stem, module."""
    return [source_stem(q)] + ([module_name(q)] if module_name(q) else [])


def moodle_category(q: dict[str, Any]) -> str:
    """``$course$/qbank/<source stem>/<module>``; a ``/`` inside a name doubled, as
    Moodle writes it."""
    return "/".join(["$course$", "qbank"] + [part.replace("/", "//") for part in category_parts(q)])


def question_name(q: dict[str, Any]) -> str:
    """``Q12 q-08873f9833670616`` (number and id), or the id alone."""
    number = q.get("number")
    return f"Q{number} {q['id']}" if isinstance(number, int) and not isinstance(number, bool) else q["id"]


# -- grades --------------------------------------------------------------------------------

#: the grades Moodle accepts on import ("error if grade not listed"): 100/n for these n
_SHARES = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571",
           8: "12.5", 9: "11.11111", 10: "10", 20: "5"}


def multi_weights(n_correct: int, n_wrong: int) -> tuple[str, str] | None:
    """A multi-answer question's grades as Moodle takes them: each correct option an
    equal share of 100, each wrong one minus an equal share of 100 (ticking every option
    scores 0); None when 100 has no listed share for ``n_correct``."""
    if n_correct not in _SHARES:
        return None
    wrong = _SHARES.get(n_wrong) or "5"  # past 10 wrong options: the smallest listed penalty
    return _SHARES[n_correct], "0" if n_wrong == 0 else f"-{wrong}"


def fitting(questions: list[dict[str, Any]], problem: Callable[[dict[str, Any]], str | None],
            report: Report) -> list[dict[str, Any]]:
    """The questions a format can hold (``problem`` gives none); the others are counted in
    ``report`` under the reason ``problem`` gives."""
    kept = []
    for q in questions:
        why = problem(q)
        if why:
            report.leave_out(why)
        else:
            kept.append(q)
    return kept
