"""What changed between two corpora: ``qbank diff OLD NEW`` and the end of a rebuild.

Records are matched by ``id``. Ids name where a record sits in its source, never its
text (store/ids.py), so a corrected file dropped in place of the old one gives the same
ids and the diff shows what the correction changed, field by field. Records are dicts
indexed by id: one pass over each corpus, no pandas, cheap enough to run at the end of
every build.

Decisions:

- The answer comes first, everywhere: a changed answer is what a maintainer must see
  before anything else (a quiz app's users were scored against the old one). Changed
  questions are listed answer changes first, and within a question the fields are
  ordered ``answer, stem, options, explanation, flags`` then the others in record order.
- ``source.sha256`` is not compared: it changes with any byte of the file and says
  nothing about the question; what a change did to the question shows in its fields.
  The rest of ``source`` (path, format, pages) is compared as the field ``source``.
- Knowledge units are counted (added, removed, changed, with their ids), not detailed:
  their text is long and a maintainer checks questions first.
- Values in the table are shortened around the first difference (a one-word fix in a
  long stem stays visible) and, for options, to the options that differ; ``--json``
  gives them whole.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.corpus import Corpus, parse_records, read_corpus

#: fields shown first, in this order; the others follow in record order
LEADING_FIELDS = ("answer", "stem", "options", "explanation", "flags")
#: the table's width for one value (display columns; Hangul counts two)
VALUE_WIDTH = 44
#: answer changes the build summary names (the rest are counted)
SUMMARY_NAMED = 10
#: knowledge ids the table names per line (a rebuilt book changes hundreds of pages)
KNOWLEDGE_NAMED = 20


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class RecordChange:
    id: str
    changes: list[FieldChange]

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.changes]

    @property
    def answer_changed(self) -> bool:
        return "answer" in self.fields


@dataclass
class RecordsDiff:
    """One record kind (questions or knowledge) of two corpora."""
    old_count: int = 0
    new_count: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: answer changes first, then in the new corpus's order
    changed: list[RecordChange] = field(default_factory=list)
    #: stems (questions) or titles (knowledge) of added and removed records, for the table
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)

    @property
    def answer_changes(self) -> list[RecordChange]:
        return [c for c in self.changed if c.answer_changed]

    def counts(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"

    def as_dict(self, details: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"old": self.old_count, "new": self.new_count,
                                "added": self.added, "removed": self.removed}
        if details:
            data["answer_changed"] = [c.id for c in self.answer_changes]
            data["changed"] = [{"id": c.id, "fields": c.fields,
                                "changes": [{"field": f.field, "old": f.old, "new": f.new} for f in c.changes]}
                               for c in self.changed]
        else:
            data["changed"] = [c.id for c in self.changed]
        return data


@dataclass
class CorpusDiff:
    questions: RecordsDiff
    knowledge: RecordsDiff

    @property
    def identical(self) -> bool:
        return self.questions.identical and self.knowledge.identical

    def as_dict(self) -> dict[str, Any]:
        return {"identical": self.identical, "questions": self.questions.as_dict(details=True),
                "knowledge": self.knowledge.as_dict(details=False)}


# -- comparing ---------------------------------------------------------------------------

def _comparable(name: str, value: Any) -> Any:
    if name == "source" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "sha256"}
    return value


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ between two versions of a record, leading fields first.
    A field present on one side only is a change from or to None."""
    names = [n for n in LEADING_FIELDS if n in old or n in new]
    names += [n for n in list(new) + list(old) if n not in LEADING_FIELDS and n != "id"]
    changes = []
    for name in dict.fromkeys(names):
        a, b = _comparable(name, old.get(name)), _comparable(name, new.get(name))
        if a != b:
            changes.append(FieldChange(name, a, b))
    return changes


def _label(record: dict[str, Any]) -> str:
    text = record.get("stem") if "stem" in record else record.get("title") or record.get("text")
    return text if isinstance(text, str) else ""


def diff_records(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> RecordsDiff:
    """Records matched by id; the lists are in corpus order (each id once)."""
    old_by_id = {r["id"]: r for r in old}
    new_ids = {r["id"] for r in new}
    result = RecordsDiff(len(old), len(new))
    changed = []
    for record in new:
        before = old_by_id.get(record["id"])
        if before is None:
            result.added.append(record["id"])
            result.labels[record["id"]] = _label(record)
        else:
            changes = changed_fields(before, record)
            if changes:
                changed.append(RecordChange(record["id"], changes))
    for record in old:
        if record["id"] not in new_ids:
            result.removed.append(record["id"])
            result.labels[record["id"]] = _label(record)
    result.changed = sorted(changed, key=lambda c: not c.answer_changed)  # stable: corpus order kept
    return result


def diff_corpora(old: Corpus, new: Corpus) -> CorpusDiff:
    return CorpusDiff(diff_records(old.questions, new.questions), diff_records(old.knowledge, new.knowledge))


def diff_folders(old: Path | str, new: Path | str) -> CorpusDiff:
    """``qbank diff``: raises :class:`store.corpus.CorpusUnreadable` naming the folder."""
    return diff_corpora(read_corpus(old), read_corpus(new))


def diff_against_texts(old_folder: Path, question_text: str, knowledge_text: str) -> CorpusDiff:
    """The corpus in ``old_folder`` against a new one still in memory (a build about to
    replace it). The new side is parsed from the very text written, so the summary says
    what ``qbank diff`` on the two folders would."""
    old = read_corpus(old_folder)
    new = Corpus(old_folder, parse_records(question_text.splitlines(), "new questions"),
                 parse_records(knowledge_text.splitlines(), "new knowledge"))
    return diff_corpora(old, new)


# -- showing -----------------------------------------------------------------------------

def display_width(text: str) -> int:
    """Terminal columns of ``text`` (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns, ``…`` marking the cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 1
    for ch in text:
        used += display_width(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _is_options(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(o, dict) and "label" in o for o in value)


def show(value: Any) -> str:
    """One line for a value: labels joined, text quoted, whitespace collapsed."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + " ".join(value.split()) + '"'
    if _is_options(value) and value:
        return " | ".join(f"{o['label']}. {' '.join(str(o.get('text', '')).split())}" for o in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def show_pair(old: Any, new: Any, width: int = VALUE_WIDTH) -> tuple[str, str]:
    """``old`` and ``new`` shortened to ``width`` so that the difference stays in view:
    options narrowed to the labels that differ, a long common beginning elided."""
    if _is_options(old) and _is_options(new):
        before = {o["label"]: o for o in old}
        after = {o["label"]: o for o in new}
        old = [o for o in old if after.get(o["label"]) != o]
        new = [o for o in new if before.get(o["label"]) != o]
    a, b = show(old), show(new)
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    if common > width // 2:
        cut = common - width // 4
        a, b = "…" + a[cut:], "…" + b[cut:]
    return clip(a, width), clip(b, width)


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _change_rows(changes: list[RecordChange]) -> list[list[str]]:
    rows = [["id", "field", "old", "", "new"]]
    for change in changes:
        for n, f in enumerate(change.changes):
            a, b = show_pair(f.old, f.new)
            rows.append([change.id if n == 0 else "", f.field, a, "→", b])
    return rows


def render(diff: CorpusDiff, old_name: str, new_name: str) -> str:
    """The readable table of ``qbank diff``: totals, then answer changes, other
    changes, added and removed questions, knowledge ids."""
    q, k = diff.questions, diff.knowledge
    lines = [f"qbank diff {old_name} → {new_name}"]
    lines += _table([["questions", f"{q.old_count} → {q.new_count}",
                      q.counts() + f" ({len(q.answer_changes)} answer changed)"],
                     ["knowledge", f"{k.old_count} → {k.new_count}", k.counts()]])
    if diff.identical:
        lines.append("identical")
        return "\n".join(lines)
    answers = q.answer_changes
    others = [c for c in q.changed if not c.answer_changed]
    for title, changes in ((f"answer changed ({len(answers)})", answers),
                           (f"changed ({len(others)})", others)):
        if changes:
            lines += ["", title] + _table(_change_rows(changes))
    for title, ids in (("added", q.added), ("removed", q.removed)):
        if ids:
            lines += ["", f"{title} ({len(ids)})"]
            lines += _table([[i, clip(show(q.labels.get(i, "")), 2 * VALUE_WIDTH)] for i in ids])
    knowledge = [f"knowledge {title} ({len(ids)}): {', '.join(ids[:KNOWLEDGE_NAMED])}"
                 + (f", … ({len(ids) - KNOWLEDGE_NAMED} more; --json lists all)" if len(ids) > KNOWLEDGE_NAMED else "")
                 for title, ids in (("added", k.added), ("removed", k.removed),
                                    ("changed", [c.id for c in k.changed])) if ids]
    if knowledge:
        lines += [""] + knowledge
    return "\n".join(lines)


def summary_lines(diff: CorpusDiff) -> list[str]:
    """The build summary's account of what the build changed in its folder."""
    q, k = diff.questions, diff.knowledge
    if diff.identical:
        return ["  changes   none: the corpus is the same as before"]
    lines = [f"  changes   questions {q.counts()} ({len(q.answer_changes)} answer changed); "
             f"knowledge {k.counts()}"]
    for change in q.answer_changes[:SUMMARY_NAMED]:
        answer = change.changes[0]
        a, b = show_pair(answer.old, answer.new, 24)
        lines.append(f"    answer changed  {change.id}: {a} → {b}")
    hidden = len(q.answer_changes) - SUMMARY_NAMED
    if hidden > 0:
        lines.append(f"    ... and {hidden} more answer changes")
    return lines
