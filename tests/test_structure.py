"""Modules, topics and page kinds of the real guide, against the hand-checked gold."""
from __future__ import annotations

import json

from conftest import GOLD
from extract.structure import align_modules, find_toc, parse_toc, split_header


def test_toc_lists_all_modules(guide_pages):
    toc = parse_toc(find_toc(guide_pages))
    assert [e.module for e in toc] == list(range(13))


def test_pages_in_the_right_module(guide_structure, gold_modules):
    gold = {p: m["module"] for m in gold_modules for p in range(m["first_page"], m["last_page"] + 1)}
    checked = [s for s in guide_structure if s.number in gold]
    right = sum(s.module == gold[s.number] for s in checked)
    assert len(checked) == len(gold)
    assert right / len(checked) >= 0.99, right


def test_modules_never_decrease(guide_structure):
    modules = [s.module for s in guide_structure if s.module is not None]
    assert modules == sorted(modules)


def test_wrong_digit_in_a_header_does_not_move_the_page(guide_pages, guide_structure, gold_modules):
    """Pages whose own header names another module (OCR misread the digit) stay put."""
    gold = {p: m["module"] for m in gold_modules for p in range(m["first_page"], m["last_page"] + 1)}
    misread = []
    for page, info in zip(guide_pages, guide_structure):
        digits = {split_header(r.text)[0] for r in page.removed if r.reason == "running-header"}
        digits.discard(None)
        if page.number in gold and digits and gold[page.number] not in digits:
            misread.append((page.number, info.module, gold[page.number]))
    assert misread, "the guide has headers with a wrong digit (e.g. '모든 3' in module 5)"
    assert all(got == want for _, got, want in misread), misread


def test_topics_start_where_the_gold_says(guide_structure):
    gold = json.loads((GOLD / "guide_topics.json").read_text(encoding="utf-8"))
    starts = {}
    for info in guide_structure:
        if info.kind == "topic":
            starts[(info.module, info.topic)] = info.number
    for topic in gold:
        assert starts.get((topic["module"], topic["topic"])) == topic["first_page"], topic


def test_page_kinds_found(guide_structure):
    kinds = {s.kind for s in guide_structure}
    assert {"slide", "topic", "summary", "knowledge-check", "knowledge-check-intro",
            "activity", "lab", "questions", "agenda", "contents"} <= kinds
    assert sum(s.kind == "knowledge-check" for s in guide_structure) == 56


def test_viterbi_ignores_one_contrary_vote():
    # five pages voting for state 0 with one page (index 2) voting for state 1 alone,
    # then a clear switch: the lone vote must not flip its page
    votes = [[1.0, 0.0], [1.0, 0.0], [0.0, 0.4], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    assert align_modules(votes, 2) == [0, 0, 0, 0, 1, 1]


def test_module_titles_merged_with_their_running_headers(guide_corpus, gold_modules):
    """The contents page and the running headers read each title; merged word by word,
    most titles come out as printed (issue 13: ``ML8 데이터 처리`` -> ``ML용 데이터 처리``)."""
    import json

    titles = {}
    for line in (guide_corpus / "knowledge.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        titles.setdefault(record["module"], record.get("module_title"))
    exact = sum(titles.get(m["module"]) == m["title"] for m in gold_modules)
    assert exact >= len(gold_modules) // 2, titles
