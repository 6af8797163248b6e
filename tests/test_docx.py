"""Word exam dumps: every shape of the generated sample, numbering, errors."""
from __future__ import annotations

import importlib.util
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument

from conftest import assert_bad_file_fails_alone

from extract.exam_questions import extract_exam_questions
from extract.normalize import fix_mojibake
from ingest import read_document
from ingest import tesseract
from qbank.pipeline import build

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "exam-dump.docx"
EXPECTED = json.loads((REPO / "tests" / "data" / "exam-dump.expected.json").read_text())["answers"]


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample_docx", REPO / "scripts" / "make_sample_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def questions():
    return {q.number: q for q in extract_exam_questions(read_document(SAMPLE))}


def test_every_sample_question_has_its_exact_answer(questions):
    assert {str(n): q.answer for n, q in questions.items()} == EXPECTED


def test_freshly_generated_sample_parses_the_same(tmp_path, questions):
    data, expected = _generator().build()
    path = tmp_path / "fresh.docx"
    path.write_bytes(data)
    fresh = {q.number: q for q in extract_exam_questions(read_document(path))}
    assert {str(n): q.answer for n, q in fresh.items()} == expected
    assert [(q.stem, q.options) for q in fresh.values()] == [(q.stem, q.options) for q in questions.values()]


def test_answer_signals_are_all_kept(questions):
    q1 = questions[1]
    assert q1.answer_signals["given"] == ["A"]
    assert q1.answer_signals["community"] == ["C (71%)", "A (29%)"]
    assert q1.answer_signals["most_voted"] == ["A", "C"]
    assert "community_disagrees" in q1.flags
    assert questions[131].answer_signals["prose"] == ["A", "D", "F"]
    assert questions[301].answer_signals == {"formatting": ["C"]}       # bold only
    assert questions[302].answer_signals == {"formatting": ["A", "C"]}  # highlight only
    assert questions[305].answer_signals == {"key": ["B"]}              # answer key at the end
    assert questions[308].answer_signals == {"formatting": ["A"]}       # red text only


def test_examtopics_chrome_and_comments_are_dropped(questions):
    text = json.dumps([(q.stem, q.options, q.explanation) for q in questions.values()], ensure_ascii=False)
    for chrome in ("Hide Solution", "Discussion 76", "upvoted", "Selected Answer", "Highly Voted",
                   "Most Voted", "ago", "examtopics.com", "no discussion"):
        assert chrome not in text, chrome


def test_word_auto_numbering_gives_visible_labels(questions):
    assert [label for label, _ in questions[301].options] == ["A", "B", "C", "D"]
    assert questions[301].options[2][1] == "Amazon S3"
    # a second list of the same definition restarts (startOverride) at A
    assert [label for label, _ in questions[302].options] == ["A", "B", "C", "D", "E"]


def test_numbering_continues_nests_and_formats(tmp_path):
    gen = _generator()
    d = WordDocument()
    gen.add_letter_list(d, restart=False, num_id=801, abstract_id=800)
    gen.add_letter_list(d, restart=False, num_id=802, abstract_id=800)
    d.add_paragraph("Question #1")
    d.add_paragraph("Stem?")
    gen.numbered(d, "first", 801)
    gen.numbered(d, "second", 801)
    gen.numbered(d, "third, another num of the same list: continues", 802)
    path = tmp_path / "n.docx"
    d.save(path)
    lines = [line for page in read_document(path).pages for line in page.lines]
    # the label Word draws is a field of its line, never glued into the text
    assert [(line.label, line.text) for line in lines[-3:]] == [
        ("A.", "first"), ("B.", "second"), ("C.", "third, another num of the same list: continues")]
    assert len({line.list_id for line in lines[-3:]}) == 1  # two w:num of one list: one list


def test_options_continue_over_paragraphs_and_languages_merge(questions):
    q = questions[198]
    assert q.lang == "en" and set(q.translations) == {"ko"}
    assert len(q.translations["ko"]["options"]) == len(q.options) == 4
    assert q.options[1][1].splitlines() == ["Deploy all the models to a single SageMaker endpoint.",
                                            "Treat each model as a production variant."]
    assert q.explanation.startswith("최적의 운영 부담")


def test_gaps_images_and_choose_counts_are_flagged(questions):
    assert [label for label, _ in questions[131].options] == ["A", "C", "D", "E", "F"]
    assert "option_gap" in questions[131].flags and questions[131].kind == "multi"
    assert "image_dependent" in questions[305].flags
    assert "[image: word/media/" in questions[305].stem
    assert questions[306].expected_count == 2 and questions[306].answer == ["B", "C"]


def test_choose_count_against_answer(tmp_path):
    d = WordDocument()
    for line in ("Question #7", "Pick the storage services. (Choose two.)", "A. S3", "B. EBS",
                 "C. Lambda", "Correct Answer: A"):
        d.add_paragraph(line)
    path = tmp_path / "c.docx"
    d.save(path)
    (q,) = extract_exam_questions(read_document(path))
    assert "answer_count_mismatch" in q.flags


@pytest.mark.parametrize("text, fixed", [
    ("the companyג€™s data", "the company’s data"),
    ("itג€™s a ג€œtestג€\x9d", "it’s a “test”"),
    ("Itâ€™s", "It’s"),
    ("한국어 ㄱ ｶ 텍스트", "한국어 ㄱ ｶ 텍스트"),  # Hangul, jamo and width forms untouched
])
def test_mojibake(text, fixed):
    assert fix_mojibake(text) == fixed


def _encrypted_ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64


def _empty_docx() -> bytes:
    buffer = io.BytesIO()
    WordDocument().save(buffer)
    return buffer.getvalue()


def _zip_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    return buffer.getvalue()


@pytest.mark.parametrize("name, make, message", [
    ("corrupt.docx", lambda: SAMPLE.read_bytes()[:5000], "corrupt zip"),
    ("notzip.docx", lambda: b"PK\x03\x04 this is not really a zip", "corrupt zip"),
    ("nozipword.docx", _zip_without_word, "without a Word document"),
    ("locked.docx", _encrypted_ole, "password-protected"),
    ("empty.docx", _empty_docx, "no text"),
])
def test_bad_docx_is_one_line_error_and_batch_goes_on(tmp_path, name, make, message):
    assert_bad_file_fails_alone(tmp_path, name, make(), message, SAMPLE, len(EXPECTED))


def test_pictures_are_read_by_ocr_in_place(questions):
    document = read_document(SAMPLE)
    exhibit = document.pictures["word/media/image1.png"]
    assert "customer age against yearly income" in exhibit.text
    assert exhibit.confidence is not None and exhibit.confidence >= tesseract.LOW_CONFIDENCE
    # the exhibit's OCR text stays with the picture (records' images[].text), the stem keeps
    # its typed text and the picture's reference (figures OCR to noise in real exam files)
    assert questions[305].images == ["word/media/image1.png"]
    assert "[image: word/media/image1.png]" in questions[305].stem and "customer age" not in questions[305].stem
    # a question pasted only as a screenshot: stem and options come from OCR
    q = questions[307]
    assert q.images == ["word/media/image2.png"] and "image_dependent" in q.flags
    assert "시계열 데이터의 예측에 적합한 알고리즘" in q.stem
    assert [label for label, _ in q.options] == ["A", "B", "C", "D"]
    assert q.options[2][1] == "DeepAR" and q.answer == ["C"]


def test_picture_records_carry_reference_text_and_confidence(tmp_path):
    report = build([str(SAMPLE)], tmp_path, progress=False)
    assert not report.failed
    records = {json.loads(l)["number"]: json.loads(l)
               for l in (tmp_path / "questions.jsonl").read_text(encoding="utf-8").splitlines()}
    (picture,) = records[305]["images"]
    assert picture["ref"] == "word/media/image1.png" and picture["note"] is None
    assert "one dot per customer" in picture["text"] and picture["ocr_confidence"] > 60
    assert "images" not in records[304]


def test_without_tesseract_pictures_are_referenced_and_flagged(monkeypatch):
    def missing() -> frozenset[str]:
        raise tesseract.OcrUnavailable("Tesseract OCR is not installed")
    monkeypatch.setattr(tesseract, "installed_languages", missing)
    document = read_document(SAMPLE)
    assert {p.note for p in document.pictures.values()} == {"ocr_unavailable"}
    by_number = {q.number: q for q in extract_exam_questions(document)}
    assert "image_not_read" in by_number[305].flags
    assert by_number[305].answer == ["B"]  # the typed text still reads
    assert "image_not_read" not in by_number[304].flags


def test_ocr_can_be_switched_off():
    document = read_document(SAMPLE, ocr_lang=None)
    assert {p.note for p in document.pictures.values()} == {"ocr_off"}
    assert not any("image_text" in line.marks for page in document.pages for line in page.lines)


def test_answer_key_heading_ends_the_last_question(questions):
    assert questions[306].options[-1] == ("D", "PCA")
    assert questions[307].explanation is None


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice missing: run scripts/install-system-deps.sh")
def test_sample_resaved_by_libreoffice_parses_to_the_same_questions(tmp_path, questions):
    """LibreOffice writes its own Word XML (styles, numbering, run splits, drawing
    markup): the same questions must come out of it."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "lo"), str(SAMPLE)],
                   check=True, capture_output=True, timeout=180)
    resaved = tmp_path / "lo" / SAMPLE.name
    assert resaved.read_bytes() != SAMPLE.read_bytes()
    again = {q.number: q for q in extract_exam_questions(read_document(resaved))}
    assert {n: (q.stem, q.options, q.answer, q.flags) for n, q in again.items()} == \
        {n: (q.stem, q.options, q.answer, q.flags) for n, q in questions.items()}


def test_numbered_questions_without_headers_and_answers_section(tmp_path):
    """The official sample-question shape: ``1)`` questions, lettered options, and an
    ``Answers`` section at the end giving each answer with its explanation."""
    d = WordDocument()
    for line in ("AWS Certified Machine Learning – Specialty Sample Questions",
                 "1) A data scientist needs to store 5 TB of training images for a training job. "
                 "Which service is the MOST cost-effective?",
                 "A) Amazon EBS", "B) Amazon S3", "C) Amazon EFS", "D) Amazon RDS",
                 "2) Which steps reduce overfitting? (Select TWO.)",
                 "A) Add dropout", "B) Train for more epochs", "C) Use early stopping",
                 "D) Remove regularization",
                 "Answers",
                 "1) B – Amazon S3 is object storage priced for large data sets.",
                 "SageMaker reads it in File or Pipe mode.",
                 "2) A, C – Dropout and early stopping both reduce overfitting."):
        d.add_paragraph(line)
    path = tmp_path / "official.docx"
    d.save(path)
    q1, q2 = extract_exam_questions(read_document(path))
    assert (q1.number, q2.number) == (1, 2)
    assert q1.stem.startswith("A data scientist needs") and len(q1.options) == 4
    assert q1.answer == ["B"] and q1.answer_signals == {"key": ["B"]}
    assert q1.explanation.splitlines() == ["Amazon S3 is object storage priced for large data sets.",
                                           "SageMaker reads it in File or Pipe mode."]
    assert q2.answer == ["A", "C"] and q2.expected_count == 2 and q2.kind == "multi"
    assert [label for label, _ in q2.options] == ["A", "B", "C", "D"]


def test_numbered_list_in_a_stem_is_not_a_question(tmp_path):
    d = WordDocument()
    for line in ("1. Which order is right for a training pipeline?",
                 "The steps are listed below:",
                 "2. clean the data and remove duplicates",
                 "3. train the model on the clean data",
                 "A. 2 then 3", "B. 3 then 2", "Correct Answer: A"):
        d.add_paragraph(line)
    path = tmp_path / "list.docx"
    d.save(path)
    (q,) = extract_exam_questions(read_document(path))
    assert q.number == 1 and q.answer == ["A"]
    assert q.stem.splitlines()[-2:] == ["2. clean the data and remove duplicates",
                                        "3. train the model on the clean data"]
