"""``qbank report DIR --out report.html``: one HTML page to review a corpus.

The page is one self-contained file: the template (``qbank/templates/``, rendered by
jinja2 with autoescape on: every text of the corpus is escaped), its CSS and its small
vanilla script are inlined, and the pictures of ``DIR/media`` are inlined as data URIs,
each once (a map the script gives to the ``<img>`` elements that show it). It loads
nothing from anywhere, works offline and reads on a phone.

What it shows: the build's summary from ``manifest.json`` (sources, counts, errors,
warnings, flag totals), then every flagged question (``all_questions``: every question)
with its flags explained in words (``store/data/flags.json``), its answer signals side by
side, where it was found (file, pages, number, the other sources in ``also_in``), and its
pictures (or their OCR text); the questions can be filtered by flag and source and
searched by text.

A corpus is read as ``qbank diff`` reads it (:func:`store.corpus.read_corpus`). Only
files named like media files (``media/<sha256>.<ext>``, regular files) are inlined: a
record naming another path shows its OCR text.
"""
from __future__ import annotations

import base64
import json
import os
import re
import stat
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from store.corpus import CorpusUnreadable, read_corpus
from store.media import MEDIA_PATH, MIME_TYPES
from store.writer import write_atomic

#: Pictures inlined into one page, all together; past it a picture shows as its OCR text.
DEFAULT_INLINE_BYTES = 100 * 1024 * 1024
#: An answer-signal value naming one option, with an optional remark: ``C``, ``C (71%)``.
_LABEL_VALUE = re.compile(r"([A-Z])(?:\s*\((.{0,40})\))?")
#: The filter value of questions without flags.
NO_FLAG = "__none__"


@lru_cache(maxsize=1)
def flag_descriptions() -> dict[str, str]:
    """What each flag means, in words (``store/data/flags.json``)."""
    text = resources.files("store").joinpath("data/flags.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def describe_flag(flag: str) -> str:
    return flag_descriptions().get(flag, f"(no description of the flag {flag!r} yet)")


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("qbank", "templates"),
                              autoescape=True, undefined=jinja2.ChainableUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _asset(name: str) -> str:
    return resources.files("qbank").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest, or None when it is missing or not a JSON object (the page then says so)."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class _Media:
    """The corpus's media files a page inlines: each once, under a short key, within a
    byte budget."""

    def __init__(self, folder: Path, budget: int) -> None:
        self.folder = folder
        self.budget = budget
        self.used = 0
        self.keys: dict[str, tuple[str | None, str | None]] = {}
        self.uris: dict[str, str] = {}
        self.skipped = 0

    def key(self, path: Any) -> tuple[str | None, str | None]:
        """(key of the inlined file, why it is not inlined) for a record's ``media``."""
        if not isinstance(path, str) or not MEDIA_PATH.fullmatch(path):
            return None, None if path is None else "not a media file name"
        if path in self.keys:
            return self.keys[path]
        key, why = None, None
        target = self.folder / path
        try:
            st = os.lstat(target)
            if not stat.S_ISREG(st.st_mode):
                why = "not a regular file"
            elif self.used + st.st_size > self.budget:
                why = "not inlined: the page's picture budget (--max-inline-mb) is spent"
                self.skipped += 1
            else:
                data = target.read_bytes()
                self.used += len(data)
                key = f"m{len(self.uris)}"
                mime = MIME_TYPES[path.rsplit(".", 1)[1]]
                self.uris[key] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        except OSError:
            why = "missing from media/"
        self.keys[path] = (key, why)
        return key, why


def _signal_rows(question: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The answer and every answer signal side by side: the columns (option labels, then
    labels only signals name) and one row per signal, ``cells`` per column (``""`` when
    it names the label, or its remark, ``None`` when not), or ``text`` for values that
    are not labels (a matching pair, a label mapping)."""
    labels = [o.get("label") for o in question.get("options") or [] if isinstance(o, dict)]
    labels = [x for x in labels if isinstance(x, str)]
    rows_in: list[tuple[str, list[Any], bool]] = [("answer", list(question.get("answer") or []), True)]
    signals = question.get("answer_signals") or {}
    if isinstance(signals, dict):
        rows_in += [(str(name), value if isinstance(value, list) else [value], False)
                    for name, value in signals.items()]
    extra: set[str] = set()
    parsed = []
    for name, values, final in rows_in:
        matches = [_LABEL_VALUE.fullmatch(v) if isinstance(v, str) else None for v in values]
        if all(matches):
            marks = {m.group(1): (m.group(2) or "") for m in matches}  # type: ignore[union-attr]
            extra |= set(marks) - set(labels)
            parsed.append({"name": name, "final": final, "marks": marks})
        else:
            parsed.append({"name": name, "final": final, "text": ", ".join(str(v) for v in values)})
    columns = labels + sorted(extra)
    rows = []
    for row in parsed:
        if "marks" in row:
            marks = row.pop("marks")
            row["cells"] = [marks.get(label) for label in columns]
            row["empty"] = not marks
        rows.append(row)
    return columns, rows


def _question_view(q: dict[str, Any], media: _Media, source_anchor: dict[str, str]) -> dict[str, Any]:
    source = q.get("source") if isinstance(q.get("source"), dict) else {}
    answer = set(a for a in q.get("answer") or [] if isinstance(a, str))
    options = [{"label": o.get("label", ""), "text": o.get("text", ""),
                "correct": o.get("label") in answer or any(a.startswith(f"{o.get('label')}=") for a in answer)}
               for o in q.get("options") or [] if isinstance(o, dict)]
    flags = [f for f in q.get("flags") or [] if isinstance(f, str)]
    images = []
    for image in q.get("images") or []:
        if not isinstance(image, dict):
            continue
        key, why = media.key(image.get("media"))
        images.append({"ref": str(image.get("ref", "")), "text": str(image.get("text") or ""),
                       "confidence": image.get("ocr_confidence"), "note": image.get("note"),
                       "key": key, "why": why})
    also_in = [{"path": str(a.get("path", "")), "pages": a.get("pages") or [], "number": a.get("number"),
                "anchor": source_anchor.get(str(a.get("path", "")))}
               for a in q.get("also_in") or [] if isinstance(a, dict)]
    path = str(source.get("path", ""))
    columns, signal_rows = _signal_rows(q)
    return {
        "id": q["id"],
        "path": path, "anchor": source_anchor.get(path), "format": source.get("format"),
        "pages": source.get("pages") or [], "number": q.get("number"),
        "module": q.get("module"), "module_title": q.get("module_title"), "topic": q.get("topic"),
        "lang": q.get("lang"), "kind": q.get("kind"),
        "stem": str(q.get("stem") or ""), "options": options,
        "match_targets": [str(t) for t in q.get("match_targets") or []],
        "answer": [str(a) for a in q.get("answer") or []],
        "explanation": q.get("explanation"),
        "rationales": [r for r in q.get("rationales") or [] if isinstance(r, dict)],
        "translations": {str(k): v for k, v in (q.get("translations") or {}).items() if isinstance(v, dict)},
        "flags": [{"name": f, "text": describe_flag(f)} for f in flags],
        "flag_names": flags,
        "sources": list(dict.fromkeys([path] + [a["path"] for a in also_in])),
        "signal_columns": columns, "signal_rows": signal_rows,
        "images": images, "also_in": also_in,
    }


def render_report(folder: Path | str, all_questions: bool = False,
                  max_inline_bytes: int = DEFAULT_INLINE_BYTES) -> tuple[str, int]:
    """The review page of the corpus in ``folder`` and how many questions it lists.
    Raises :class:`CorpusUnreadable` when the folder is not a readable corpus."""
    folder = Path(folder)
    corpus = read_corpus(folder)
    manifest = _read_manifest(folder)
    sources = [s for s in (manifest or {}).get("sources") or [] if isinstance(s, dict)]
    paths = sorted({str(s.get("path", "")) for s in sources}
                   | {str((q.get("source") or {}).get("path", "")) for q in corpus.questions}
                   | {str(a.get("path", "")) for q in corpus.questions for a in q.get("also_in") or []
                      if isinstance(a, dict)})
    source_anchor = {path: f"src-{index}" for index, path in enumerate(paths, start=1)}
    media = _Media(folder, max_inline_bytes)
    listed = [q for q in corpus.questions if all_questions or q.get("flags")]
    views = [_question_view(q, media, source_anchor) for q in listed]
    flag_counts = Counter(f for q in corpus.questions for f in q.get("flags") or [] if isinstance(f, str))
    listed_flags = Counter(f for q in listed for f in q.get("flags") or [] if isinstance(f, str))
    source_counts = Counter(p for v in views for p in v["sources"])
    for source in sources:
        source["anchor"] = source_anchor.get(str(source.get("path", "")))
        source["flag_list"] = sorted((source.get("flags") or {}).items()) if isinstance(source.get("flags"), dict) else []
    context = {
        "title": f"qbank review: {folder.resolve().name or folder}",
        "folder": folder.resolve().name or str(folder),
        "manifest": manifest,
        "sources": sources,
        "errors": [str(e) for e in (manifest or {}).get("errors") or []],
        "totals": (manifest or {}).get("totals") or {},
        "media_summary": (manifest or {}).get("media") if isinstance((manifest or {}).get("media"), dict) else None,
        "n_questions": len(corpus.questions),
        "n_knowledge": len(corpus.knowledge),
        "n_flagged": sum(1 for q in corpus.questions if q.get("flags")),
        "all_questions": all_questions,
        "questions": views,
        "flag_rows": [{"name": f, "count": n, "listed": listed_flags.get(f, 0), "text": describe_flag(f)}
                      for f, n in sorted(flag_counts.items(), key=lambda item: (-item[1], item[0]))],
        "filter_flags": sorted(listed_flags.items()),
        "unflagged_listed": sum(1 for q in listed if not q.get("flags")),
        "filter_sources": [(p, source_counts[p], source_anchor[p]) for p in paths if source_counts.get(p)],
        "no_flag": NO_FLAG,
        "media_uris": media.uris,
        "media_skipped": media.skipped,
        "css": _asset("report.css"),
        "script": _asset("report.js"),
    }
    return _environment().get_template("report.html.j2").render(**context), len(views)


def write_report(folder: Path | str, out: Path | str, all_questions: bool = False,
                 max_inline_bytes: int = DEFAULT_INLINE_BYTES) -> int:
    """Render the review page of ``folder`` into ``out`` (atomically); return how many
    questions it lists. Raises :class:`CorpusUnreadable` or ``OSError``."""
    html, count = render_report(folder, all_questions, max_inline_bytes)
    write_atomic(Path(out), html)
    return count


__all__ = ["CorpusUnreadable", "DEFAULT_INLINE_BYTES", "describe_flag", "flag_descriptions",
           "render_report", "write_report"]
