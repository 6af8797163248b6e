"""Furniture removal: learned from the document, audited, and leaves prose alone."""
from __future__ import annotations

import random
import re

import pytest

from conftest import FURNITURE_STRINGS, read_jsonl
from extract.furniture import FurnitureModel, learn_furniture, remove_furniture
from extract.watermark_shards import strip_shards
from ingest.document import Document, Line, Page


WORDS = ("widget gear lever spring bolt axle pulley valve rotor gasket shaft cam piston "
         "bearing clutch sprocket flywheel crank nozzle filter").split()


def sentence(seed: int, length: int = 14) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + "."


def synthetic_book(pages: int = 30) -> Document:
    """A book with its own furniture (no string of the real guide): a garbled header, a
    running chapter header, a footer, page numbers and a watermark glued to line ends."""
    headers = ["Acme Lerning Partners", "Acme Learnirg Partners", "Acrne Learning Partners"]
    body = []
    for n in range(1, pages + 1):
        lines = [headers[n % 3], f"Chapter {1 + n // 10}: Widgets", sentence(n, 3)]
        lines += [sentence(n * 100 + i) for i in range(4)]
        lines.append(sentence(n * 100 + 9) + (" ZZwater9# QQ" if n % 2 else " ZZwatr9#"))
        lines += ["Confidential material, do not distribute without written consent of Acme Inc.",
                  str(n)]
        body.append(Page(n, [Line(t, n * 100 + i) for i, t in enumerate(lines)]))
    return Document("book.txt", "0" * 64, "ocr-text", body)


def test_learns_furniture_of_an_unseen_book():
    doc = synthetic_book()
    pages = remove_furniture(doc)
    texts = [line.text for page in pages for line in page.lines]
    assert not any("Acme" in t or "Confidential" in t for t in texts)
    assert not any(re.fullmatch(r"\d+", t) for t in texts)
    assert not any("ZZwat" in t for t in texts)
    assert not any(t.startswith("Chapter") for t in texts)
    # the prose before the watermark stays, whole
    assert sum(t == sentence(n * 100 + 9) for t in texts for n in range(1, 31)) == 30
    assert all(page.lines[0].text == sentence(page.number, 3) for page in pages)


def test_every_removal_is_audited(guide_document, guide_pages):
    removed_lines = {r.source_line for page in guide_pages for r in page.removed}
    kept_lines = {line.source_line for page in guide_pages for line in page.lines}
    for page in guide_document.pages:
        for line in page.lines:
            # a line is either kept (maybe trimmed) or recorded as removed: never just gone
            assert line.source_line in kept_lines or line.source_line in removed_lines


def test_shard_is_cut_and_prose_kept():
    model = FurnitureModel([], frozenset({"ssleeeee1@", "not", "com"}))
    body, pieces = strip_shards("모든 상표는 해당 소유자의 자산입니다. 0 NOT Com 틈 8 SSleeeee1@", model)
    assert body == "모든 상표는 해당 소유자의 자산입니다."
    assert pieces == ["0 NOT Com 틈 8 SSleeeee1@"]
    # a two-syllable Korean word before a shard is a word, not junk
    body, _ = strip_shards("주행 훈련 DC ssleeeeeLle태", model)
    assert body.startswith("주행 훈련")
    # short anchors inside a line are ordinary words: only strong ones are cut mid-line
    body, pieces = strip_shards("we do not stop here and go on", model)
    assert body == "we do not stop here and go on" and pieces == []


def test_learned_anchors_are_watermark_tokens(guide_document):
    model = learn_furniture(guide_document)
    assert any(a.startswith("ssleee") for a in model.anchors)
    # nothing a Korean sentence needs: anchors are all Latin shards or single syllables
    assert all(re.fullmatch(r"[a-z0-9@#]+|[\uac00-\ud7a3]", a) for a in model.anchors), model.anchors


def test_no_record_contains_furniture(guide_corpus):
    for name in ("questions.jsonl", "knowledge.jsonl"):
        for record in read_jsonl(guide_corpus / name):
            blob = repr(record).lower()
            for furniture in FURNITURE_STRINGS:
                assert furniture.lower() not in blob, (name, record["id"], furniture)


def test_audit_file_lists_removals(guide_corpus, guide_pages):
    audit = read_jsonl(guide_corpus / "audit" / "furniture.jsonl")
    # slide icons come off teaching pages after the structure is read (extract/stray_tokens.py)
    furniture = [row for row in audit if row["reason"] != "icon-bullet"]
    assert len(furniture) == sum(len(p.removed) for p in guide_pages)
    reasons = {row["reason"] for row in audit}
    assert {"repeated-band-line", "running-header", "page-number", "watermark-shard",
            "icon-bullet"} <= reasons


def test_clean_lines_on_the_whole_book(guide_document):
    """``qbank clean`` on every body line of the guide (one line per 'page'): the anchor
    expansion once divided by zero when a cut stopped before the tail window."""
    from extract.clean import clean_lines

    lines = [line.text for page in guide_document.pages for line in page.lines]
    cleaned, removed = clean_lines(lines)
    assert len(cleaned) == len(lines)
    assert removed and all(r.text for r in removed)
    shards = [r.text for r in removed if r.reason == "watermark-shard"]
    assert any("ssle" in s.lower() for s in shards)


def test_stray_debris_at_sentence_boundaries():
    from extract.stray_tokens import strip_stray_tokens

    # debris shapes after a sentence end or at the line start go, with their neighbours
    body, removed = strip_stray_tokens("데이터를 처리합니다. cOTi 모델을 씁니다. SSx 끝입니다. com")
    assert body == "데이터를 처리합니다. 모델을 씁니다. 끝입니다." and removed == ["cOTi", "SSx", "com"]
    body, _ = strip_stray_tokens("도구입니다. an5eraaf")
    assert body == "도구입니다."
    # shapes nothing real has go anywhere: a glued @ without a domain, a letter glued to <
    body, removed = strip_stray_tokens("개인화된 콘텐츠 제공 e1@gman ? 캠페인 성과 Pe< 예측")
    assert body == "개인화된 콘텐츠 제공 캠페인 성과 예측", removed


@pytest.mark.parametrize("text", [
    "다음과 같습니다. C 할인이 적용됩니다. D 할인이 없습니다.",   # option labels
    "역할을 구성합니다. 2 기준을 정합니다. 4 CloudWatch와 연결합니다.",  # step numbers
    "문의는 help@example.com 으로 보냅니다.",                    # a real e-mail
    "APIs와 IDs를 씁니다. max_depth 값을 정합니다.",              # plurals, identifiers
    "설명입니다. Q&A 세션을 엽니다.",
])
def test_stray_debris_keeps_real_tokens(text):
    from extract.stray_tokens import strip_stray_tokens

    assert strip_stray_tokens(text) == (text, [])
