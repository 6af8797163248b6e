"""Articles and notes (../shared/data/articles, the MLS study guide with pasted
questions): sections, languages, front matter, tables and lists, and pasted questions."""
from __future__ import annotations

import pytest

from conftest import SHARED, read_jsonl
from ingest import read_document
from qbank.extractors import Options
from qbank.pipeline import build

ARTICLES = SHARED / "data" / "articles"
STUDY_GUIDE = SHARED / "data" / "mls-guide-with-questions.txt"
pytestmark = pytest.mark.skipif(not ARTICLES.exists(), reason=f"real data not found at {ARTICLES}")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("articles")
    report = build([str(ARTICLES), str(STUDY_GUIDE)], out, progress=False,
                   options=Options(ocr_correction=False))
    assert not report.failed, [r.error for r in report.failed]
    knowledge = read_jsonl(out / "knowledge.jsonl")
    by_file: dict[str, list[dict]] = {}
    for unit in knowledge:
        by_file.setdefault(unit["source"]["path"].rsplit("/", 1)[-1], []).append(unit)
    for units in by_file.values():
        units.sort(key=lambda u: int(u["id"].rsplit("/s", 1)[1]))
    return by_file, read_jsonl(out / "questions.jsonl")


def test_formats_are_told_apart_by_content():
    assert read_document(ARTICLES / "mla-c01-beta-exam.ja.md").format == "markdown"
    assert read_document(ARTICLES / "mla-c01-exam-notes.ja.txt").format == "text"
    assert read_document(ARTICLES / "aws-ml-specialty-exam-preparation.en.txt").format == "text"


def test_front_matter_gives_title_and_metadata():
    document = read_document(ARTICLES / "mla-c01-beta-exam.ja.md")
    assert document.title.startswith("「AWS Certified Machine Learning Engineer - Associate Beta」")
    assert document.metadata["author"] == "kazuyuki-shiratani"
    assert "AWS認定" in document.metadata["tags"]
    assert not any(line.text == "---" for line in document.pages[0].lines[:1])


def test_markdown_sections_lists_and_containers(corpus):
    units = corpus[0]["mla-c01-beta-exam.ja.md"]
    titles = [u["title"] for u in units]
    assert titles[0].startswith("「AWS Certified")  # text before the first heading: the article's title
    assert titles[1:4] == ["はじめに", "試験について", "準備したこと"]
    assert {"試験ガイド", "まとめ"} <= set(titles)
    assert all(u["lang"] == "ja" and u["kind"] == "section" and u["source"]["pages"] == [] for u in units)
    intro = next(u for u in units if u["title"] == "はじめに")
    assert ":::" not in intro["text"] and "秘密保持契約（NDA）" in intro["text"]  # link text kept
    assert "](" not in intro["text"]
    guide = next(u for u in units if u["title"] == "試験ガイド")
    assert guide["text"].startswith("- 試験ガイドを読んで") and "\n  - 4分野から出題されます。" in guide["text"]


def test_plain_text_headings_by_shape(corpus):
    units = corpus[0]["aws-ml-specialty-exam-preparation.en.txt"]
    titles = [u["title"] for u in units]
    assert "1. Building the Data Foundation: Engineering for ML" in titles
    assert "4. Selecting and Applying AWS AI Services" in titles
    assert {"Common Pitfalls", "Summary"} <= set(titles)
    pitfalls = next(u for u in units if u["title"] == "Common Pitfalls")
    assert "1. Ignoring Data Preparation" in pitfalls["text"]  # an indented list is body
    assert all(u["lang"] == "en" for u in units)


def test_plain_text_tables_and_marked_headings(corpus):
    units = corpus[0]["mla-c01-exam-notes.ja.txt"]
    by_title = {u["title"]: u for u in units}
    assert "試験要項" in by_title  # "◼︎ 試験要項": the marker is not part of the title
    assert "問題数 | 65問 (うち15問は採点対象外) |" in by_title["試験要項"]["text"]
    assert "第 1 分野: 機械学習 (ML) のためのデータ準備 | 28% |" in by_title["出題範囲"]["text"]
    assert all(u["lang"] == "ja" for u in units)
    assert len(units) >= 30


def test_sentences_broken_around_inline_code_are_not_headings(corpus):
    """Copied Japanese notes break sentences into lines around inline code; the pieces
    stay body text of the section, and the real headings around them are kept."""
    units = corpus[0]["mla-c01-exam-notes.ja.txt"]
    by_title = {u["title"]: u for u in units}
    view = by_title["マテリアライズド・ビュー"]["text"].splitlines()
    assert view[view.index("マテリアライズド・ビューはREFRESH") + 1] == "コマンドで更新することができる。"
    assert "文でAUTO REFRESH YES" in view and "マテリアライズド・ビューはREFRESH" not in by_title
    assert {"機械学習基礎", "受験後", "勉強に使ったもの", "Parquet"} <= set(by_title)
    assert by_title["機械学習基礎"]["text"].startswith("機械学習は大きく")
    fragments = ("AWSの公式ガイドには", "とあります。※AWS公式より引用:引用元", "モデルの", "の指定が必要", ".parquet")
    assert not set(fragments) & set(by_title)


def test_study_guide_questions_and_sections(corpus):
    by_file, questions = corpus
    pasted = {q["number"]: q for q in questions if q["source"]["path"].endswith("mls-guide-with-questions.txt")}
    assert {n: q["answer"] for n, q in pasted.items()} == {1: ["A"], 131: ["A", "D"], 198: ["B"]}
    # the notes repeat "문제 #131:" to give a prose answer listing two of the three picks
    assert pasted[131]["answer_signals"] == {"prose": ["A", "D"]}
    assert "answer_count_mismatch" in pasted[131]["flags"]
    assert set(pasted[198]["translations"]) == {"ko"}
    sections = by_file["mls-guide-with-questions.txt"]
    exam = next(u for u in sections if u["title"] == "시험 개요")
    assert "시험 형식: 65문항 / 130분" in exam["text"] and exam["lang"] == "ko"
    assert not any("Question #" in u["text"] for u in sections)
