"""Question layouts combined at random: scripts/make_exam_layouts.py writes seeded DOCX/PDF
exam documents (number style x option style x answer signal x format x language) with
their expected questions; one ``qbank build`` of all of them must give back, for every
generated question, its number (or stem), its options (text, in order) and exactly its
answer, and no extra questions. One test per document, named by its layout, so a failure
says which combination broke. Run the generator by hand to look at a failing document:
``python3 scripts/make_exam_layouts.py /tmp/layouts --count 44 --seed 11`` (then
``--score CORPUS_DIR`` for tallies per layout dimension, ``qbank inspect DOC`` for how
one document is read). The documents draw on one pool of questions, so the build keeps
every occurrence (``--keep-duplicates``): each document is checked as it reads.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, read_jsonl

SCRIPT = REPO / "scripts" / "make_exam_layouts.py"
_spec = importlib.util.spec_from_file_location("make_exam_layouts", SCRIPT)
layouts = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_exam_layouts", layouts)
_spec.loader.exec_module(layouts)

COUNT, SEED = 44, 11   # these 44 documents use every value of every dimension (checked below)
PLANS = layouts.plan(COUNT, SEED)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """All documents generated into one folder and built by one ``qbank build`` (the
    documents are passed by name: the .expected.jsonl files beside them are not input)."""
    docs = tmp_path_factory.mktemp("exam-layouts")
    out = tmp_path_factory.mktemp("exam-layouts-corpus")
    paths = layouts.generate(docs, COUNT, SEED)
    result = subprocess.run([sys.executable, "-m", "qbank.cli", "build", *(p.name for p in paths),
                             "--out", str(out), "-q", "--keep-duplicates"],
                            cwd=docs, capture_output=True, text=True, timeout=300)
    if not (out / "questions.jsonl").exists():
        pytest.fail(f"qbank build wrote no corpus (exit {result.returncode}):\n{result.stderr[-3000:]}")
    by_source: dict[str, list[dict]] = {}
    for record in read_jsonl(out / "questions.jsonl"):
        by_source.setdefault(Path(record["source"]["path"]).name, []).append(record)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    errors = {Path(s["path"]).name: s.get("error") for s in manifest["sources"] if s.get("status") == "error"}
    return docs, by_source, errors


def describe(doc_plan) -> str:
    variants = ", ".join(f"{k}={v!r}" for k, v in sorted(doc_plan.v.items()))
    return (f"layout {doc_plan.name}: number={doc_plan.number} option={doc_plan.option} "
            f"answer={doc_plan.answer} format={doc_plan.fmt} page={doc_plan.page} explist={doc_plan.explist} "
            f"lang={doc_plan.lang}\n  variants: {variants}")


#: Two-column PDF pages whose lines sit on one grid across the gutter are still taken
#: for a table and read row by row (ingest/pdf_columns.py ``_table_rows``): a known limit
#: of the reader, kept visible. strict: the day the reader reads them, these tests fail
#: until the mark is removed.
TWO_COLUMN_GRID = pytest.mark.xfail(strict=True, reason="two-column PDF with lines on a shared grid "
                                    "is read as a table (known reader limit)")


@pytest.mark.parametrize("doc_plan", [pytest.param(p, marks=TWO_COLUMN_GRID) if p.page == "2col" or "pdf2col" in p.name
                                      else p for p in PLANS], ids=[p.name for p in PLANS])
def test_layout_extracted(built, doc_plan):
    docs, by_source, errors = built
    document = f"{doc_plan.name}.{doc_plan.fmt}"
    expected = read_jsonl(docs / f"{doc_plan.name}.expected.jsonl")
    if document in errors:
        pytest.fail(f"{describe(doc_plan)}\n  build failed: {errors[document]}", pytrace=False)
    problems = layouts.check_document(expected, by_source.get(document, []))
    if problems:
        bad = {n for n, _ in problems if n is not None}
        pytest.fail(f"{describe(doc_plan)}\n  {len(bad)}/{len(expected)} questions wrong, "
                    f"{len(by_source.get(document, []))} in corpus:\n    "
                    + "\n    ".join(m for _, m in problems), pytrace=False)


def test_generator_is_deterministic(tmp_path):
    first = layouts.generate(tmp_path / "a", 12, SEED)
    second = layouts.generate(tmp_path / "b", 12, SEED)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert [p.name for p in first] == [p.name for p in second] == \
        [f"{p.name}.{p.fmt}" for p in layouts.plan(12, SEED)]
    # the first documents do not depend on how many are asked for
    assert [p.name for p in layouts.plan(5, SEED)] == [p.name for p in layouts.plan(12, SEED)[:5]]
    other = layouts.generate(tmp_path / "c", 12, SEED + 1)
    assert [p.name for p in other] != [p.name for p in first]


def test_expected_files_are_well_formed(tmp_path):
    """The gold the generator writes is consistent with itself (gold-file shape)."""
    for path in layouts.generate(tmp_path, 20, SEED):
        expected = read_jsonl(path.with_name(path.stem + ".expected.jsonl"))
        assert 5 <= len(expected) <= 12, path.name
        assert len({e["number"] for e in expected}) == len(expected), path.name
        for e in expected:
            assert list(e) == ["number", "stem", "options", "answer", "multi"], path.name
            assert 3 <= len(e["options"]) <= 5 and len(set(e["options"])) == len(e["options"])
            assert e["answer"] == sorted(set(e["answer"])) and e["multi"] == (len(e["answer"]) > 1)
            assert all("A" <= a < chr(ord("A") + len(e["options"])) for a in e["answer"]), e


def test_default_plan_uses_every_style():
    """The documents the tests build draw every language, number style, option style and
    answer signal at least once (a new value that no document draws would go untested)."""
    dimensions = {"lang": layouts.LANGS, "number": list(layouts.NUMBERS), "option": layouts.OPTIONS,
                  "answer": layouts.ANSWERS}
    for dim, values in dimensions.items():
        used = {getattr(p, dim) for p in PLANS}
        assert not set(values) - used, f"{dim}: never drawn in plan({COUNT}, {SEED}): {sorted(set(values) - used)}"
    assert {p.fmt for p in PLANS} == {"docx", "pdf"}
    assert {p.page for p in PLANS} == {"flow", "columns"}
    assert any(p.explist and any(item.explain_list for item in p.items) for p in PLANS)
    for style in layouts.UNLABELLED:   # in both formats
        assert {p.fmt for p in PLANS if p.option == style} == {"docx", "pdf"}, style


def test_layout_constraints_hold():
    """Pairings the generator promises: scripts' own labels only in their language, and
    with their own answer letters; run-on options only when short; DOCX-only layouts
    never in PDF."""
    for p in layouts.plan(60, SEED) + layouts.plan(60, SEED + 1):
        if p.option in layouts.SCRIPT_LABELS:
            assert p.lang == layouts.SCRIPT_LABELS[p.option][2], p.name
            assert p.answer not in layouts.LINE_SIGNALS or p.answer in layouts.SCRIPT_SIGNALS, p.name
        if p.answer in layouts.SCRIPT_SIGNALS:
            assert p.option in layouts.SCRIPT_SIGNALS[p.answer], p.name
        if p.option == "inline":
            assert all(len(o) <= layouts.INLINE_MAX for item in p.items for o in item.options), p.name
        if p.answer == "checked":
            assert p.option in ("mdcheckbox", "box"), p.name
        if p.fmt == "pdf":
            assert p.option not in layouts.DOCX_ONLY_OPTIONS and p.answer not in layouts.DOCX_ONLY_ANSWERS, p.name
        if p.answer == "keyinline":   # "1-AC, 2-B": no comma inside a value
            assert all("," not in layouts._value(p, item.correct) for item in p.items), p.name
        if p.option == "unlabelled":   # plain lines: an asking stem, an answer line, no bare numbers
            assert layouts.has_answer_line(p.answer) and p.answer != "aiken", p.name
            for item in p.items:
                assert item.stem.rstrip()[-1] in "?？:：", (p.name, item.stem)
                assert not any(o.strip().isdigit() for o in item.options), (p.name, item.options)
        if p.answer == "text":   # "Answer: 4" beside four options would name the 4th
            for item in p.items:
                value = item.options[item.correct[0]].strip()
                assert not (value.isdigit() and int(value) <= len(item.options)), (p.name, value)
        if p.option == "dash":   # "- text": an answer line or a formatting signal tells
            assert layouts.has_answer_line(p.answer) or p.answer in layouts.FORMAT_SIGNALS, p.name
        if p.option == "fullwidth" or p.number == "fwmon":
            assert p.lang in layouts.FULL_WIDTH, p.name
        if p.answer in layouts.LETTER_ONLY_SIGNALS:   # "Option B", "(B)", "B) text": letters
            assert layouts.value_kind(p.option) in ("upper", "lower", "fullwidth"), p.name
        if p.answer == "lettertext":
            assert all(len(item.correct) == 1 for item in p.items), p.name
        if p.number in layouts.UNNUMBERED:   # no answer key can name an unnumbered question
            assert p.answer not in layouts.KEY_ANSWERS, p.name
            assert [item.number for item in p.items] == list(range(1, len(p.items) + 1)), p.name
        if p.page == "columns":
            assert p.fmt == "pdf" and len(p.items) >= 8, p.name
        if p.explist:   # the dash list follows an answer line
            assert layouts.has_answer_line(p.answer), p.name
            assert any(item.explain_list for item in p.items), p.name
            assert all(3 <= len(item.explain_list) <= 5 for item in p.items if item.explain_list), p.name
        else:
            assert not any(item.explain_list for item in p.items), p.name


def test_two_column_pdfs(built):
    """Two-column PDFs as promised: 3 pages or more, the header line (with its page's
    number) at the top of every page, and below it every line inside the left or the
    right column, both columns used."""
    import pymupdf

    docs = built[0]
    columns = [p for p in PLANS if p.page == "columns"]
    assert columns
    left = (layouts.MARGIN, layouts.MARGIN + layouts.COLUMN_W)
    right = (left[1] + layouts.GUTTER, left[1] + layouts.GUTTER + layouts.COLUMN_W)
    for doc_plan in columns:
        with pymupdf.open(docs / f"{doc_plan.name}.pdf") as pdf:
            assert pdf.page_count >= 3, doc_plan.name
            sides = set()
            for number, page in enumerate(pdf):
                lines = sorted(((line["bbox"], "".join(span["text"] for span in line["spans"]))
                                for block in page.get_text("dict")["blocks"] for line in block.get("lines", [])),
                               key=lambda line: line[0][1])   # top to bottom
                header = doc_plan.v["page_header"].format(n=number + 1, total=pdf.page_count)
                assert lines[0][1] == header, (doc_plan.name, number, lines[0][1])
                title = number == 0 and doc_plan.v["title"]
                for (x0, _, x1, _), text in lines[2 if title else 1:]:
                    side = next((k for k, (a, b) in enumerate((left, right)) if a - 1 <= x0 and x1 <= b + 1), None)
                    assert side is not None, (doc_plan.name, number, text, x0, x1)
                    sides.add(side)
            assert sides == {0, 1}, doc_plan.name
