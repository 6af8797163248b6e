#!/usr/bin/env python3
"""Generate the sample PDFs (+ expected answers): a text-layer PDF and a scanned one.

* ``samples/sample-questions.pdf``: the official sample-question shape with a text layer:
  a title in large type, numbered questions ``1)`` with lettered options, one
  ``(Select TWO.)``, and an ``Answers`` section at the end giving each answer with its
  explanation.
* ``samples/scanned-questions.pdf``: the same shape in Korean, image-only (each page a
  300-dpi greyscale picture, no text layer), as a scanner would give it: only OCR reads it.

Questions are written here (public AWS knowledge, not copied from a dump). Expected
answers go to ``tests/data/sample-pdfs.expected.json``. Hangul is drawn with Debian's
fonts-nanum (scripts/install-system-deps.sh). Run:
``python3 scripts/make_sample_pdfs.py [OUT_DIR]``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pymupdf

REPO = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "samples"
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
NANUM_BOLD = Path("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")
A4 = pymupdf.paper_rect("a4")
MARGIN = 56

#: (text, font size, bold) paragraphs of each page
Page = list[tuple[str, float, bool]]

ENGLISH: list[Page] = [[
    ("AWS Certified Machine Learning Engineer - Associate: Sample Questions", 16, True),
    ("1) A team stores 5 TB of training images and wants SageMaker training jobs to read "
     "them at the lowest storage cost. Which storage should the team use?", 10.5, False),
    ("A) Amazon EBS volumes attached to a notebook instance", 10.5, False),
    ("B) An Amazon S3 bucket", 10.5, False),
    ("C) Amazon EFS with provisioned throughput", 10.5, False),
    ("D) An Amazon RDS database", 10.5, False),
    ("2) A model scores 99% on training data and 71% on validation data. Which actions "
     "reduce the gap? (Select TWO.)", 10.5, False),
    ("A) Add dropout layers", 10.5, False),
    ("B) Train for more epochs", 10.5, False),
    ("C) Stop training early when the validation loss stops improving", 10.5, False),
    ("D) Remove L2 regularization", 10.5, False),
    ("E) Increase the learning rate", 10.5, False),
    ("3) Which SageMaker capability detects bias in a dataset before training?", 10.5, False),
    ("A) SageMaker Clarify", 10.5, False),
    ("B) SageMaker Neo", 10.5, False),
    ("C) SageMaker Model Monitor", 10.5, False),
    ("D) SageMaker Ground Truth", 10.5, False),
], [
    ("Answers", 14, True),
    ("1) B – Amazon S3 is object storage priced for large data sets, and training jobs "
     "read it directly in File, FastFile or Pipe mode.", 10.5, False),
    ("2) A, C – Dropout and early stopping both reduce overfitting; more epochs, less "
     "regularization and a higher learning rate do not.", 10.5, False),
    ("3) A – SageMaker Clarify reports pre-training bias metrics such as class imbalance.",
     10.5, False),
]]
ENGLISH_ANSWERS = {"1": ["B"], "2": ["A", "C"], "3": ["A"]}

KOREAN: list[Page] = [[
    ("AWS 기계 학습 샘플 문제", 16, True),
    ("1) 시계열 데이터로 향후 30일의 수요를 예측하려고 합니다. 가장 적합한 SageMaker 내장 "
     "알고리즘은 무엇입니까?", 12, False),
    ("A) K-means", 12, False),
    ("B) DeepAR", 12, False),
    ("C) Object2Vec", 12, False),
    ("D) BlazingText", 12, False),
    ("2) 실시간 스트리밍 데이터를 최소한의 관리로 Amazon S3에 적재하는 서비스는 무엇입니까?", 12, False),
    ("A) Amazon Kinesis Data Firehose", 12, False),
    ("B) AWS Glue 크롤러", 12, False),
    ("C) Amazon EMR", 12, False),
    ("D) AWS Batch", 12, False),
    ("3) 불균형 데이터에서 소수 클래스의 성능을 평가하기에 적합한 지표 두 개를 고르십시오. "
     "(2개 선택)", 12, False),
    ("A) 정확도", 12, False),
    ("B) 재현율", 12, False),
    ("C) F1 점수", 12, False),
    ("D) 평균 제곱 오차", 12, False),
], [
    ("정답 및 해설", 14, True),
    ("1) B - DeepAR은 시계열 예측을 위한 내장 알고리즘입니다.", 12, False),
    ("2) A - Kinesis Data Firehose는 스트리밍 데이터를 S3에 적재합니다.", 12, False),
    ("3) B, C - 재현율과 F1 점수는 소수 클래스의 성능을 보여 줍니다.", 12, False),
]]
KOREAN_ANSWERS = {"1": ["B"], "2": ["A"], "3": ["B", "C"]}


def text_pdf(pages: list[Page]) -> pymupdf.Document:
    """A PDF with a text layer: paragraphs wrapped into the page width, Nanum fonts."""
    doc = pymupdf.open()
    for paragraphs in pages:
        page = doc.new_page(width=A4.width, height=A4.height)
        page.insert_font(fontname="nanum", fontfile=str(NANUM))
        page.insert_font(fontname="nanumb", fontfile=str(NANUM_BOLD))
        y = MARGIN
        for text, size, bold in paragraphs:
            box = pymupdf.Rect(MARGIN, y, A4.width - MARGIN, A4.height - MARGIN)
            left = page.insert_textbox(box, text, fontname="nanumb" if bold else "nanum",
                                       fontsize=size, lineheight=1.3)
            if left < 0:
                raise ValueError(f"page too full for {text[:40]!r}")
            used = box.height - left
            y += used + size * 0.6
    return doc


def scanned_pdf(pages: list[Page], dpi: int = 300) -> pymupdf.Document:
    """An image-only PDF: each text page rendered to a greyscale picture and placed on an
    empty page, so nothing but pixels remains."""
    source = text_pdf(pages)
    scan = pymupdf.open()
    for page in source:
        picture = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        target = scan.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, stream=picture.tobytes("png"))
    return scan


def save(doc: pymupdf.Document, path: Path) -> int:
    """Write without dates or random ids, so regenerating gives the same bytes."""
    doc.set_metadata({"title": path.stem, "producer": "qbank scripts/make_sample_pdfs.py",
                      "creator": "", "creationDate": "", "modDate": ""})
    doc.subset_fonts()  # only the glyphs used: the Nanum fonts are megabytes whole
    data = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    path.write_bytes(data)
    return len(data)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = {name: save(make(), OUT / name) for name, make in (
        ("sample-questions.pdf", lambda: text_pdf(ENGLISH)),
        ("scanned-questions.pdf", lambda: scanned_pdf(KOREAN)))}
    expected = {"sample-questions.pdf": ENGLISH_ANSWERS, "scanned-questions.pdf": KOREAN_ANSWERS}
    (REPO / "tests" / "data" / "sample-pdfs.expected.json").write_text(
        json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, size in sizes.items():
        print(f"wrote {OUT / name} ({size} bytes)")


if __name__ == "__main__":
    main()
