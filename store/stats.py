"""``qbank stats DIR``: what a corpus holds, counted with pandas.

One structure for every output format: a long table with the columns ``dimension,
value, questions, share`` (share = questions / all questions, 0 for an empty corpus).
A spreadsheet, a ``jq`` filter and a reader all see the same rows; ``table`` only
prints them aligned, ``csv`` and ``json`` (a list of row objects) are for tools.

Dimensions, in this order:

- ``total`` / ``all``: every question (share 1).
- ``answer`` / ``present`` and ``missing``: answer coverage, a non-empty ``answer``.
- ``duplicates`` / ``also_in``: questions with a non-empty ``also_in`` list (the same
  question found in another source; the field is optional, so 0 when no corpus has it).
- ``source`` (path), ``module``, ``kind``, ``lang``: one row per value; a null is
  ``(none)``. Modules in number order, sources by path, the others most frequent first.
- ``flag``: one row per flag; a question counts once under each of its flags, so
  these rows do not add up to the total.
- ``domain``: coverage of the exams (issue 17's ``domains``): one row per exam domain,
  ``MLS-C01 3 Modeling (36%)`` (the official weight in parentheses, so the share of
  questions can be held against it), zero rows included, then ``MLS-C01 (none)`` for the
  questions given no domain of that exam.
- ``service``: questions tagged with each AWS service, most covered first; every service
  the exam guides' task profiles name is listed, at 0 when no question covers it (the
  least covered at the bottom). ``table`` shows the ten first and ten last.

Knowledge units are counted in the table's heading only: the rows are about questions.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pandas as pd

from store.corpus import Corpus
from store.diff import display_width, pad

COLUMNS = ["dimension", "value", "questions", "share"]
NONE = "(none)"
#: dimensions with one row per value: (name, how its rows are ordered)
_PER_VALUE = (("source", "value"), ("module", "number"), ("kind", "count"), ("lang", "count"),
              ("flag", "count"))


def _text(value: Any) -> str:
    """A value as the table shows it (as text: module 1 is ``1``, not ``1.0``)."""
    return NONE if value is None else str(value)


def question_frame(corpus: Corpus) -> pd.DataFrame:
    """One row per question with the columns the counts need (values as text)."""
    rows = []
    for q in corpus.questions:
        source = q.get("source") if isinstance(q.get("source"), dict) else {}
        also_in = q.get("also_in")
        rows.append({"source": _text(source.get("path")), "module": _text(q.get("module")),
                     "kind": _text(q.get("kind")), "lang": _text(q.get("lang")),
                     "flags": [_text(f) for f in q.get("flags") or []],
                     "answered": bool(q.get("answer")),
                     "duplicate": isinstance(also_in, list) and len(also_in) > 0,
                     "domains": [f"{d.get('exam')} {d.get('domain')}" for d in q.get("domains") or []
                                 if isinstance(d, dict)],
                     "tags": [t for t in q.get("tags") or [] if isinstance(t, str)]})
    return pd.DataFrame(rows, columns=["source", "module", "kind", "lang", "flags", "answered", "duplicate",
                                       "domains", "tags"])


def _coverage_rows(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The ``domain`` and ``service`` rows (see the module docstring)."""
    from extract.domains import get_guides
    from extract.tags import Lexicon

    guides = get_guides()
    given = Counter(d for ds in frame["domains"] for d in ds)
    rows = []
    for exam in guides.exams:
        for domain, weight in guides.weights[exam].items():
            rows.append(("domain", f"{exam} {domain} {guides.titles[exam][domain]} ({weight:g}%)",
                         given[f"{exam} {domain}"]))
        rows.append(("domain", f"{exam} {NONE}", sum(1 for ds in frame["domains"]
                                                    if not any(d.startswith(exam + " ") for d in ds))))
    kind = Lexicon().kind
    tagged = Counter(t for ts in frame["tags"] for t in ts if kind.get(t) == "service")
    for name in guides.concepts():
        if kind.get(name) == "service":
            tagged.setdefault(name, 0)
    services = sorted(tagged.items(), key=lambda item: (-item[1], item[0]))
    rows.extend(("service", name, n) for name, n in services)
    return [pd.DataFrame(rows, columns=COLUMNS[:3])] if rows else []


def _value_rows(name: str, values: pd.Series, order: str) -> pd.DataFrame:
    counts = values.value_counts().rename_axis("value").reset_index(name="questions")
    if order == "number":  # modules 1, 2, 10 (not 1, 10, 2), (none) last
        key = counts["value"].map(lambda v: (1, 0, v) if v == NONE else
                                  (0, int(v), "") if v.lstrip("-").isdigit() else (0, 1 << 30, v))
        counts = counts.iloc[sorted(range(len(counts)), key=lambda i: key.iloc[i])]
    elif order == "value":
        counts = counts.sort_values("value", kind="stable")
    else:
        counts = counts.sort_values(["questions", "value"], ascending=[False, True], kind="stable")
    counts.insert(0, "dimension", name)
    return counts


def stats_table(corpus: Corpus) -> pd.DataFrame:
    """The long table of counts (see the module docstring)."""
    frame = question_frame(corpus)
    total = len(frame)
    answered = int(frame["answered"].sum())
    parts = [pd.DataFrame([("total", "all", total), ("answer", "present", answered),
                           ("answer", "missing", total - answered),
                           ("duplicates", "also_in", int(frame["duplicate"].sum()))],
                          columns=COLUMNS[:3])]
    for name, order in _PER_VALUE:
        values = frame["flags"].explode().dropna() if name == "flag" else frame[name]
        if len(values):
            parts.append(_value_rows(name, values.astype(object), order))
    if total:
        parts.extend(_coverage_rows(frame))
    table = pd.concat(parts, ignore_index=True)
    table["questions"] = table["questions"].astype("int64")
    table["share"] = (table["questions"] / total).round(4) if total else 0.0
    return table[COLUMNS]


def render_table(table: pd.DataFrame, corpus: Corpus) -> str:
    total = int(table.loc[table["dimension"] == "total", "questions"].iloc[0])
    answered = int(table.loc[(table["dimension"] == "answer") & (table["value"] == "present"),
                             "questions"].iloc[0])
    duplicates = int(table.loc[table["dimension"] == "duplicates", "questions"].iloc[0])
    coverage = f"{answered / total:.1%}" if total else "n/a"
    rows = [COLUMNS]
    previous = None
    services = table.index[table["dimension"] == "service"].tolist()
    hidden = set(services[10:-10])
    for index, (dimension, value, questions, share) in enumerate(table[COLUMNS].itertuples(index=False)):
        if index in hidden:
            if index == services[10]:
                rows.append(["", f"… {len(hidden)} more", "", ""])
            continue
        rows.append(["" if dimension == previous else dimension, value, str(questions), f"{share:.1%}"])
        previous = dimension
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [f"corpus {corpus.path}: {total} questions, {len(corpus.knowledge)} knowledge units",
             f"answer coverage {coverage} ({answered} of {total})   duplicates {duplicates}", ""]
    for row in rows:  # text left-aligned, numbers right-aligned
        cells = [pad(row[0], widths[0]), pad(row[1], widths[1]),
                 row[2].rjust(widths[2]), row[3].rjust(widths[3])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _csv(table: pd.DataFrame, corpus: Corpus) -> str:
    return table.to_csv(index=False, lineterminator="\n")


def _json(table: pd.DataFrame, corpus: Corpus) -> str:
    rows = [json.dumps({"dimension": d, "value": v, "questions": int(n), "share": float(s)}, ensure_ascii=False)
            for d, v, n, s in table[COLUMNS].itertuples(index=False)]
    return "[\n" + ",\n".join(f"  {row}" for row in rows) + "\n]" if rows else "[]"


#: ``--format`` name -> renderer of the table
FORMATS: dict[str, Callable[[pd.DataFrame, Corpus], str]] = {
    "table": render_table, "csv": _csv, "json": _json}


def render_stats(corpus: Corpus, fmt: str = "table") -> str:
    return FORMATS[fmt](stats_table(corpus), corpus)

