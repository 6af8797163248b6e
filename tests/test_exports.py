"""``qbank export --to moodle|gift|qti|anki|aiken``: every export read back by a reader
that shares no code with its writer.

- Moodle XML: lxml, the elements Moodle's importer reads (quiz/question[@type],
  name/text, questiontext[@format]/text and its base64 file, answer[@fraction]/text,
  single, shuffleanswers, subquestion/answer), HTML texts parsed by lxml.html.
- GIFT: a small tokenizer written here (``parse_gift``): pygiftparser, the only GIFT
  parser on PyPI, is unmaintained since 2017 and misreads an escaped ``}`` in an answer
  (it cuts the answer there) and drops the general feedback, so it cannot check escaping.
- Canvas QTI: the zip's imsmanifest.xml and the item XML it names, with lxml.
- Anki: the .apkg's SQLite ``notes`` table (``flds``, ``guid``) and its media map.
- Aiken: re-parsed line by line.

Corpora: ``samples/`` built by the CLI once, and a hand-written corpus (records below)
with Korean text, ``~ = # { } : \\`` and HTML characters in stems, options and
explanations, a multi-answer, a matching and a bilingual question, and a picture in
``DIR/media``.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lhtml

from conftest import REPO, read_jsonl

QBANK = [sys.executable, "-m", "qbank.cli"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
FORMATS = {"moodle": "quiz.xml", "gift": "quiz.gift.txt", "qti": "quiz.zip", "anki": "quiz.apkg",
           "aiken": "quiz.aiken.txt"}
SPECIAL = "~ = # { } : \\ < > & % * _ $ ` [ ] -> ... --"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(QBANK + list(args), cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)


def export(corpus: Path, fmt: str, out: Path, *options: str) -> subprocess.CompletedProcess:
    result = run("export", str(corpus), "--to", fmt, "--out", str(out), *options)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


# -- corpora --------------------------------------------------------------------------------

def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()
PNG_NAME = "ab" * 32 + ".png"


def record(id_: str, number: int, stem: str, options: list[tuple[str, str]], answer: list[str], *,
           kind: str = "single", lang: str = "ko", path: str = "hand/퀴즈-ko.docx", module: int | None = 2,
           module_title: str | None = "데이터 준비", explanation: str | None = None, **more) -> dict:
    return {"id": id_, "source": {"path": path, "sha256": "0" * 64, "format": "docx", "pages": [1]},
            "module": module, "module_title": module_title, "topic": None, "number": number, "lang": lang,
            "kind": kind, "stem": stem, "options": [{"label": l, "text": t} for l, t in options],
            "answer": answer, "explanation": explanation, "translations": {}, "flags": [], **more}


HAND = [
    record("q-ko-single", 1, "다음 중 옳은 것은? 식 {a = b} # 1 ~ 2 : 끝 \\ 백슬래시 <b>&amp;</b>\n둘째 줄\t탭",
           [("A", "정답 = 참 {1}"), ("B", "오답 ~ 거짓 # 2"), ("C", "콜론: 그리고 -> 화살표"), ("D", "%50 퍼센트로 시작")],
           ["A"], explanation="설명: {중괄호} = 등호 # 샵 ~ 물결 \\ 역슬래시",
           rationales=[{"label": "B", "text": "B는 틀림: ~ 때문 {x}"}],
           images=[{"ref": "word/media/image1.png", "text": "그림 = 1", "ocr_confidence": 90.0, "note": None,
                    "media": PNG_NAME}]),
    record("q-en-multi", 2, "Which TWO are true? (Choose two.) a*b_c $x$ `code` [link](x) 'q' \"dq\"",
           [("A", "First *right* one: {ok}"), ("B", "Wrong = no"), ("C", "Second right ~ yes #2"),
            ("D", "Wrong again -> no"), ("E", "Also wrong \\ no")],
           ["A", "C"], kind="multi", lang="en", path="hand/exam-en.pdf", module=None, module_title=None,
           explanation="Both A and C: see {docs} # 3."),
    record("q-ko-match", 3, "서비스와 용도를 연결하십시오: {연결}",
           [("A", "객체 저장 = S3?"), ("B", "블록 스토리지 #"), ("C", "파일 공유 ~ 윈도우")],
           ["A=Amazon S3", "B=Amazon EBS {블록}", "C=Amazon FSx: Windows"], kind="matching",
           match_targets=["Amazon S3", "Amazon EBS {블록}", "Amazon FSx: Windows", "Amazon EFS = 리눅스"],
           explanation="S3는 객체, EBS는 블록."),
    record("q-bilingual", 4, "Which service trains models? {ML}",
           [("A", "Amazon SageMaker"), ("B", "Amazon S3 = storage")], ["A"], lang="en",
           path="hand/exam-en.pdf", module=None, module_title=None, explanation="SageMaker trains: yes.",
           translations={"ko": {"stem": "모델을 훈련하는 서비스는? {ML}",
                                "options": [{"label": "A", "text": "아마존 세이지메이커"},
                                            {"label": "B", "text": "아마존 S3 = 저장소"}],
                                "explanation": "세이지메이커가 훈련합니다: 예."}}),
    record("q-no-answer", 5, "답이 없는 문제", [("A", "하나"), ("B", "둘")], []),
    record("q-flagged", 6, "그림을 보고 답하시오 (그림 없음)", [("A", "가"), ("B", "나")], ["B"],
           flags=["image_dependent"], images=[{"ref": "word/media/image9.png", "text": "", "ocr_confidence": None,
                                               "note": "no text"}]),
    record("q-same-stem-1", 7, "Which is correct?", [("A", "one"), ("B", "two")], ["A"], lang="en",
           path="hand/exam-en.pdf", module=None, module_title=None),
    record("q-same-stem-2", 8, "Which is correct?", [("A", "three"), ("B", "four")], ["B"], lang="en",
           path="hand/exam-en.pdf", module=None, module_title=None),
    record("q-dup-options", 9, "같은 보기가 두 번 나오는 문제", [("A", "같음"), ("B", "같음"), ("C", "다름")], ["C"],
           module=3, module_title="모델 {개발}"),
    record("q-controls", 10, "Control\x0b characters\x0c dropped", [("A", "yes\x01"), ("B", "no")], ["A"],
           lang="en", path="hand/exam-en.pdf", module=None, module_title=None),
]
ANSWERED = [q for q in HAND if q["answer"]]


def clean(text: str) -> str:
    """What every format keeps of a text: XML cannot hold C0 controls but tab and newline."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def by_id(questions: list[dict]) -> dict[str, dict]:
    return {q["id"]: q for q in questions}


@pytest.fixture(scope="module")
def hand_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hand") / "corpus"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / PNG_NAME).write_bytes(PNG)
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in HAND), encoding="utf-8")
    (folder / "knowledge.jsonl").write_text("", encoding="utf-8")
    return folder


# -- HTML, as a browser reads it --------------------------------------------------------------

def html_root(fragment: str):
    root = lhtml.fragment_fromstring(fragment or "", create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return root


def html_text(fragment: str) -> str:
    return html_root(fragment).text_content()


def multilang_texts(fragment: str) -> dict[str | None, str]:
    """Moodle multilang: ``{lang: text}``; a text without spans is ``{None: text}``."""
    root = html_root(fragment)
    spans = root.xpath(".//span[@class='multilang']")
    return {s.get("lang"): s.text_content() for s in spans} if spans else {None: root.text_content()}


def primary(texts: dict[str | None, str], lang: str) -> str:
    return texts.get(None, texts.get(lang))


# -- Moodle XML -------------------------------------------------------------------------------

def read_moodle(path: Path) -> tuple[list[str], dict[str, dict]]:
    """Categories in order, and each question as Moodle's importer would read it."""
    quiz = etree.parse(str(path)).getroot()
    assert quiz.tag == "quiz"
    categories, questions = [], {}
    for element in quiz.findall("question"):
        kind = element.get("type")
        if kind == "category":
            categories.append(element.findtext("category/text"))
            continue
        text = element.find("questiontext")
        assert text.get("format") == "html"
        q = {"type": kind, "category": categories[-1], "name": element.findtext("name/text"),
             "idnumber": element.findtext("idnumber"), "stem": multilang_texts(text.findtext("text")),
             "html": text.findtext("text"),
             "files": {f.get("name"): base64.b64decode(f.text) for f in text.findall("file")
                       if f.get("encoding") == "base64"},
             "feedback": multilang_texts(element.findtext("generalfeedback/text")),
             "shuffle": element.findtext("shuffleanswers")}
        if kind == "multichoice":
            q["single"] = element.findtext("single")
            q["answers"] = [(float(a.get("fraction")), multilang_texts(a.findtext("text")),
                             html_text(a.findtext("feedback/text") or "")) for a in element.findall("answer")]
        elif kind == "matching":
            q["pairs"] = [(html_text(s.findtext("text") or ""), s.findtext("answer/text"))
                          for s in element.findall("subquestion")]
        questions[q["idnumber"]] = q
    return categories, questions


def test_moodle_xml_reads_back(hand_corpus, tmp_path):
    out = tmp_path / FORMATS["moodle"]
    result = export(hand_corpus, "moodle", out)
    categories, got = read_moodle(out)
    assert categories == ["$course$/qbank/퀴즈-ko/Module 2: 데이터 준비", "$course$/qbank/exam-en",
                          "$course$/qbank/퀴즈-ko/Module 3: 모델 {개발}"]
    assert set(got) == {q["id"] for q in ANSWERED}
    for q in ANSWERED:
        m = got[q["id"]]
        assert m["name"] == f"Q{q['number']} {q['id']}"
        assert primary(m["stem"], q["lang"]) == clean(q["stem"])
        assert m["shuffle"] == "true"
        if q["kind"] == "matching":
            continue
        assert m["type"] == "multichoice"
        texts = [primary(t, q["lang"]) for _, t, _ in m["answers"]]
        assert texts == [clean(o["text"]) for o in q["options"]]
        fractions = {o["label"]: f for o, (f, _, _) in zip(q["options"], m["answers"])}
        if q["kind"] == "multi":
            assert m["single"] == "false"
            assert sum(f for f in fractions.values() if f > 0) == pytest.approx(100, abs=0.01)
            assert {label for label, f in fractions.items() if f > 0} == set(q["answer"])
            assert all(f < 0 for label, f in fractions.items() if label not in q["answer"])
        else:
            assert m["single"] == "true"
            assert {label for label, f in fractions.items() if f == 100} == set(q["answer"])
            assert all(f == 0 for label, f in fractions.items() if label not in q["answer"])
        if q["explanation"]:
            assert primary(m["feedback"], q["lang"]) == q["explanation"]

    single = got["q-ko-single"]
    assert single["category"].endswith("/Module 2: 데이터 준비")
    assert "\\ 백슬래시 <b>&amp;</b>\n둘째 줄\t탭" in single["stem"][None]  # HTML in the text stays text
    assert [fb for _, _, fb in single["answers"]] == ["", "B는 틀림: ~ 때문 {x}", "", ""]
    assert single["files"] == {PNG_NAME: PNG}
    assert f'src="@@PLUGINFILE@@/{PNG_NAME}"' in single["html"]

    match = got["q-ko-match"]
    assert match["type"] == "matching"
    assert match["pairs"] == [("객체 저장 = S3?", "Amazon S3"), ("블록 스토리지 #", "Amazon EBS {블록}"),
                              ("파일 공유 ~ 윈도우", "Amazon FSx: Windows"), ("", "Amazon EFS = 리눅스")]

    bilingual = got["q-bilingual"]
    assert bilingual["stem"] == {"en": "Which service trains models? {ML}", "ko": "모델을 훈련하는 서비스는? {ML}"}
    assert [t for _, t, _ in bilingual["answers"]] == [
        {"en": "Amazon SageMaker", "ko": "아마존 세이지메이커"}, {"en": "Amazon S3 = storage", "ko": "아마존 S3 = 저장소"}]
    assert bilingual["feedback"] == {"en": "SageMaker trains: yes.", "ko": "세이지메이커가 훈련합니다: 예."}
    assert got["q-controls"]["stem"] == {None: "Control characters dropped"}
    assert "left out 1 question: 1 without an answer" in result.stderr
    assert "; pictures not exported (no file in DIR/media): 1" in result.stderr


def test_moodle_samples(samples_corpus, tmp_path):
    out = tmp_path / "samples.xml"
    export(samples_corpus, "moodle", out)
    _, got = read_moodle(out)
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    assert set(got) == {q["id"] for q in questions}
    for q in questions:
        m = got[q["id"]]
        assert primary(m["stem"], q["lang"]) == q["stem"]
        if q["kind"] == "matching":
            pairs = dict(a.split("=", 1) for a in q["answer"])
            texts = {o["label"]: o["text"] for o in q["options"]}
            assert [p for p in m["pairs"] if p[0]] == [(texts[label], target) for label, target in pairs.items()]
        else:
            correct = [primary(t, q["lang"]) for f, t, _ in m["answers"] if f > 0]
            assert correct == [o["text"] for o in q["options"] if o["label"] in q["answer"]]


# -- GIFT -------------------------------------------------------------------------------------

def _gift_chars(body: str) -> list[tuple[str, bool]]:
    """Characters with whether a backslash escaped them (``\\n`` is a newline)."""
    chars, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            chars.append(("\n" if body[i + 1] == "n" else body[i + 1], True))
            i += 2
        else:
            chars.append((body[i], False))
            i += 1
    return chars


def _text(chars: list[tuple[str, bool]]) -> str:
    return "".join(ch for ch, _ in chars).strip()


def _find(chars: list[tuple[str, bool]], what: str, start: int = 0) -> int:
    for i in range(start, len(chars) - len(what) + 1):
        if all(chars[i + k] == (what[k], False) for k in range(len(what))):
            return i
    return -1


def parse_gift_question(body: str) -> dict:
    chars = _gift_chars(body)
    assert _find(chars, "::") == 0
    end = _find(chars, "::", 2)
    title = _text(chars[2:end])
    rest = chars[end + 2:]
    assert _text(rest[:6]) == "[html]"
    rest = rest[6:]
    open_, close = _find(rest, "{"), max(i for i, c in enumerate(rest) if c == ("}", False))
    stem, body_chars = _text(rest[:open_]), rest[open_ + 1:close]
    general = None
    g = _find(body_chars, "####")
    if g >= 0:
        general, body_chars = _text(body_chars[g + 4:]), body_chars[:g]
    answers, current = [], None
    for ch, escaped in body_chars:
        if not escaped and ch in "=~":
            current = {"mark": ch, "chars": [], "feedback": None}
            answers.append(current)
        elif not escaped and ch == "#" and current is not None:
            current["feedback"] = []
        elif current is not None:
            (current["chars"] if current["feedback"] is None else current["feedback"]).append((ch, escaped))
    parsed = []
    for a in answers:
        text = _text(a["chars"])
        weight = None
        found = re.match(r"%(-?[0-9.]+)%", text) if a["mark"] == "~" else None
        if found:
            weight, text = float(found.group(1)), text[found.end():]
        parsed.append({"mark": a["mark"], "weight": weight, "text": text,
                       "feedback": _text(a["feedback"]) if a["feedback"] is not None else None})
    return {"title": title, "stem": stem, "answers": parsed, "general": general}


def parse_gift(text: str) -> list[dict]:
    """GIFT questions with their ``$CATEGORY``: blocks split at blank lines, ``//``
    comment lines dropped."""
    questions, category = [], None
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in block.split("\n") if line.strip() and not line.lstrip().startswith("//")]
        if not lines:
            continue
        body = "\n".join(lines)
        if body.startswith("$CATEGORY:"):
            category = body[len("$CATEGORY:"):].strip()
            continue
        questions.append({**parse_gift_question(body), "category": category})
    return questions


def test_gift_reads_back(hand_corpus, tmp_path):
    out = tmp_path / FORMATS["gift"]
    result = export(hand_corpus, "gift", out)
    text = out.read_text(encoding="utf-8")
    got = {q["title"].split()[-1]: q for q in parse_gift(text)}
    assert set(got) == {q["id"] for q in ANSWERED}
    for q in ANSWERED:
        g = got[q["id"]]
        assert g["title"] == f"Q{q['number']} {q['id']}"
        assert primary(multilang_texts(g["stem"]), q["lang"]) == clean(q["stem"])
        if q["kind"] == "matching":
            continue
        texts = [primary(multilang_texts(a["text"]), q["lang"]) for a in g["answers"]]
        assert texts == [clean(o["text"]) for o in q["options"]]
        if q["kind"] == "multi":
            assert all(a["mark"] == "~" for a in g["answers"])
            weights = {o["label"]: a["weight"] for o, a in zip(q["options"], g["answers"])}
            assert {label for label, w in weights.items() if w > 0} == set(q["answer"])
            assert sum(w for w in weights.values() if w > 0) == pytest.approx(100, abs=0.01)
            assert all(w < 0 for label, w in weights.items() if label not in q["answer"])
        else:
            assert [o["label"] for o, a in zip(q["options"], g["answers"]) if a["mark"] == "="] == q["answer"]
        if q["explanation"]:
            assert primary(multilang_texts(g["general"]), q["lang"]) == q["explanation"]
    single = got["q-ko-single"]
    assert single["category"] == "$course$/qbank/퀴즈-ko/Module 2: 데이터 준비"
    assert [html_text(a["feedback"] or "") for a in single["answers"]] == ["", "B는 틀림: ~ 때문 {x}", "", ""]
    assert "\t~&\\#37;50 퍼센트로 시작\n" in text  # a leading % would read as a grade
    assert single["answers"][3]["weight"] is None
    match = got["q-ko-match"]
    assert [(html_text(a["text"].split("->", 1)[0]).strip(), a["text"].split("->", 1)[1].strip())
            for a in match["answers"]] == [
        ("객체 저장 = S3?", "Amazon S3"), ("블록 스토리지 #", "Amazon EBS {블록}"),
        ("파일 공유 ~ 윈도우", "Amazon FSx: Windows"), ("", "Amazon EFS = 리눅스")]
    assert all(a["mark"] == "=" for a in match["answers"])
    assert "left out 1 question: 1 without an answer" in result.stderr
    assert "; pictures not exported (GIFT has no files; Moodle XML has): 2" in result.stderr
    # nothing but the escapes: the raw file has no unescaped special character in a text
    assert "->" not in "".join(line for line in text.splitlines() if not line.startswith("\t="))


def test_gift_samples(samples_corpus, tmp_path):
    out = tmp_path / "samples.gift"
    export(samples_corpus, "gift", out)
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    got = {q["title"].split()[-1]: q for q in parse_gift(out.read_text(encoding="utf-8"))}
    assert set(got) == {q["id"] for q in questions}
    for q in questions:
        assert primary(multilang_texts(got[q["id"]]["stem"]), q["lang"]) == q["stem"]
        if q["kind"] != "matching":
            correct = [primary(multilang_texts(a["text"]), q["lang"]) for a in got[q["id"]]["answers"]
                       if a["mark"] == "=" or (a["weight"] or 0) > 0]
            assert correct == [o["text"] for o in q["options"] if o["label"] in q["answer"]]


# -- Canvas QTI -------------------------------------------------------------------------------

QTI_NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}


def split_translation(fragment: str) -> tuple[str, dict[str, str]]:
    """A QTI text: the text itself and ``{lang: translation}`` from its lang spans."""
    root = html_root(fragment)
    translations = {}
    for span in root.xpath(".//span[@lang]"):
        translations[span.get("lang")] = span.text_content()
        span.drop_tree()
    text = root.text_content()
    return (text[:-1] if translations and text.endswith("\n") else text), translations


def read_qti(path: Path) -> tuple[dict[str, list[dict]], set[str]]:
    """``{quiz title: [item]}`` from the assessments the manifest names, and the zip's
    member names."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = etree.fromstring(z.read("imsmanifest.xml"))
        quizzes = {}
        for resource in manifest.iterfind(".//{*}resource[@type='imsqti_xmlv1p2']"):
            href = resource.find("{*}file").get("href")
            assessment = etree.fromstring(z.read(href)).find("q:assessment", QTI_NS)
            items = []
            for item in assessment.iterfind(".//q:item", QTI_NS):
                meta = {f.findtext("q:fieldlabel", namespaces=QTI_NS): f.findtext("q:fieldentry", namespaces=QTI_NS)
                        for f in item.iterfind(".//q:qtimetadatafield", QTI_NS)}
                stem = item.find("q:presentation/q:material/q:mattext", QTI_NS)
                assert stem.get("texttype") == "text/html"
                choices = {label.get("ident"): split_translation(label.findtext(".//q:mattext", namespaces=QTI_NS))
                           for label in item.iterfind(".//q:response_label", QTI_NS)}
                correct = []
                for condition in item.iterfind(".//q:respcondition", QTI_NS):
                    if condition.findtext("q:setvar", namespaces=QTI_NS) == "100":
                        correct = [v.text for v in condition.iterfind(".//q:varequal", QTI_NS)
                                   if v.getparent().tag != f"{{{QTI_NS['q']}}}not"]
                feedback = {fb.get("ident"): html_text(fb.findtext(".//q:mattext", namespaces=QTI_NS))
                            for fb in item.iterfind("q:itemfeedback", QTI_NS)}
                items.append({"title": item.get("title"), "type": meta["question_type"],
                              "stem": split_translation(stem.text), "html": stem.text,
                              "choices": list(choices.values()),
                              "correct": [choices[ident][0] for ident in correct],
                              "feedback": feedback, "choice_ids": list(choices)})
            quizzes[assessment.get("title")] = items
    return quizzes, names


def test_qti_reads_back(hand_corpus, tmp_path):
    out = tmp_path / FORMATS["qti"]
    result = export(hand_corpus, "qti", out)
    quizzes, names = read_qti(out)
    assert set(quizzes) == {"hand/퀴즈-ko.docx", "hand/exam-en.pdf"}
    got = {item["title"].split()[-1]: item for items in quizzes.values() for item in items}
    expected = [q for q in ANSWERED if q["kind"] != "matching"]
    assert set(got) == {q["id"] for q in expected}
    for q in expected:
        item = got[q["id"]]
        assert item["type"] == ("multiple_answers_question" if q["kind"] == "multi" else "multiple_choice_question")
        assert item["stem"][0] == clean(q["stem"])
        assert [text for text, _ in item["choices"]] == [clean(o["text"]) for o in q["options"]]
        assert item["correct"] == [clean(o["text"]) for o in q["options"] if o["label"] in q["answer"]]
        if q["explanation"]:
            assert item["feedback"]["general_fb"].startswith(q["explanation"])
    bilingual = got["q-bilingual"]
    assert bilingual["stem"] == ("Which service trains models? {ML}", {"ko": "모델을 훈련하는 서비스는? {ML}"})
    assert bilingual["choices"][1] == ("Amazon S3 = storage", {"ko": "아마존 S3 = 저장소"})
    single = got["q-ko-single"]
    assert "B는 틀림: ~ 때문 {x}" in single["feedback"].values()
    assert f"images/{PNG_NAME}" in names and PNG_NAME in single["html"]
    assert got["q-en-multi"]["stem"][0].startswith("Which TWO are true? (Choose two.) a*b_c $x$ `code` [link](x)")
    assert "1 not QTI-shaped (matching: text2qti has no matching questions)" in result.stderr
    assert [text for text, _ in got["q-dup-options"]["choices"]] == ["같음", "같음", "다름"]  # as the source has it
    assert "left out 2 questions: 1 not QTI-shaped (matching: text2qti has no matching questions), " \
           "1 without an answer;" in result.stderr


def test_qti_refusal_is_text2qtis_reason():
    """A question text2qti refuses is left out with text2qti's own reason (the export
    checks each question alone before it builds a quiz)."""
    from store.exports.qti import _refusal

    assert _refusal("1. Which?\n*a) same\nb) same") == "Duplicate choice for question"
    assert _refusal("1. Which?\n*a) one\nb) two") is None


def test_qti_samples(samples_corpus, tmp_path):
    out = tmp_path / "samples.zip"
    export(samples_corpus, "qti", out)
    quizzes, _ = read_qti(out)
    questions = [q for q in read_jsonl(samples_corpus / "questions.jsonl") if q["kind"] != "matching"]
    got = {item["title"].split()[-1]: item for items in quizzes.values() for item in items}
    assert set(got) == {q["id"] for q in questions}
    for q in questions:
        assert got[q["id"]]["stem"][0] == q["stem"]
        assert got[q["id"]]["correct"] == [o["text"] for o in q["options"] if o["label"] in q["answer"]]


# -- Anki -------------------------------------------------------------------------------------

def read_apkg(path: Path, tmp_path: Path) -> tuple[list[dict], dict[str, bytes], dict[int, str]]:
    """Notes (guid, fields, tags), media ``{name: bytes}`` and decks ``{id: name}``."""
    with zipfile.ZipFile(path) as z:
        db = tmp_path / f"{path.stem}.anki2"
        db.write_bytes(z.read("collection.anki2"))
        media = {name: z.read(index) for index, name in json.loads(z.read("media")).items()}
    connection = sqlite3.connect(db)
    try:
        notes = [{"guid": guid, "fields": flds.split("\x1f"), "tags": tags.split()}
                 for guid, flds, tags in connection.execute("SELECT guid, flds, tags FROM notes ORDER BY id")]
        decks = {int(k): v["name"] for k, v in json.loads(connection.execute("SELECT decks FROM col").fetchone()[0]).items()}
    finally:
        connection.close()
    return notes, media, decks


def test_anki_reads_back(hand_corpus, tmp_path):
    import genanki

    out = tmp_path / FORMATS["anki"]
    export(hand_corpus, "anki", out)
    notes, media, decks = read_apkg(out, tmp_path)
    got = {html_text(n["fields"][5]): n for n in notes}
    assert set(got) == {q["id"] for q in ANSWERED}
    assert media == {PNG_NAME: PNG}
    assert {"qbank::퀴즈-ko::Module 2: 데이터 준비", "qbank::exam-en", "qbank::퀴즈-ko::Module 3: 모델 {개발}"} <= set(
        decks.values())
    for q in ANSWERED:
        note = got[q["id"]]
        assert note["guid"] == genanki.guid_for(q["id"])
        front, back = html_text(note["fields"][0]), html_text(note["fields"][1])
        assert clean(q["stem"]) in front
        assert all(clean(o["text"]) in front for o in q["options"])
        if q["kind"] == "matching":
            assert all(f"{o['text']} → {a.split('=', 1)[1]}" in back for o, a in zip(q["options"], q["answer"]))
        else:
            for o in q["options"]:
                assert (clean(o["text"]) in back) == (o["label"] in q["answer"])
        if q["explanation"]:
            assert q["explanation"] in html_text(note["fields"][2])
        assert "qbank" in note["tags"]
    assert f'<img src="{PNG_NAME}"' in got["q-ko-single"]["fields"][0]
    translation = html_text(got["q-bilingual"]["fields"][3])
    assert "모델을 훈련하는 서비스는? {ML}" in translation and "아마존 S3 = 저장소" in translation
    assert "모델을" not in html_text(got["q-bilingual"]["fields"][0])  # the front stays in one language
    assert "image_dependent" in got["q-flagged"]["tags"]


def test_anki_guids_are_stable(samples_corpus, tmp_path):
    """Two exports of one corpus, and an export of a rebuilt corpus, give every question
    the same note GUID (and deck): re-import updates instead of duplicating."""
    rebuilt = tmp_path / "rebuilt"
    result = run("build", "samples/", "--out", str(rebuilt), "-q")
    assert result.returncode == 0, result.stderr
    seen = []
    for n, corpus in enumerate([samples_corpus, samples_corpus, rebuilt]):
        out = tmp_path / f"deck{n}.apkg"
        export(corpus, "anki", out)
        notes, _, decks = read_apkg(out, tmp_path)
        seen.append(({html_text(note["fields"][5]): note["guid"] for note in notes}, decks))
    assert seen[0] == seen[1] == seen[2]
    ids = {q["id"] for q in read_jsonl(samples_corpus / "questions.jsonl")}
    assert set(seen[0][0]) == ids and len(set(seen[0][0].values())) == len(ids)


# -- Aiken ------------------------------------------------------------------------------------

def parse_aiken(text: str) -> list[dict]:
    questions = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        options = [re.match(r"([A-Z])\. (.*)$", line).groups() for line in lines[1:-1]]
        answer = re.fullmatch(r"ANSWER: ([A-Z])", lines[-1]).group(1)
        questions.append({"stem": lines[0], "options": options, "answer": answer})
    return questions


def test_aiken_reads_back(hand_corpus, samples_corpus, tmp_path):
    out = tmp_path / FORMATS["aiken"]
    result = export(hand_corpus, "aiken", out)
    got = parse_aiken(out.read_text(encoding="utf-8"))
    fits = [q for q in ANSWERED if q["kind"] == "single"]
    assert [g["stem"] for g in got] == [" ".join(clean(q["stem"]).split()) for q in fits]
    for g, q in zip(got, fits):
        assert [text for _, text in g["options"]] == [" ".join(clean(o["text"]).split()) for o in q["options"]]
        assert [letter for letter, _ in g["options"]] == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:len(q["options"])])
        assert dict(g["options"])[g["answer"]] == " ".join(
            clean(next(o["text"] for o in q["options"] if o["label"] == q["answer"][0])).split())
    line = [l for l in result.stderr.splitlines() if "left out" in l]
    assert line == ["qbank export: left out 3 questions: 1 not Aiken-shaped (matching), "
                    "1 not Aiken-shaped (multi answer), 1 without an answer"]

    out = tmp_path / "samples.aiken.txt"
    export(samples_corpus, "aiken", out)
    questions = [q for q in read_jsonl(samples_corpus / "questions.jsonl") if q["kind"] == "single"]
    got = parse_aiken(out.read_text(encoding="utf-8"))
    assert len(got) == len(questions)
    for g, q in zip(got, questions):  # the option gap (A C D) is lettered anew, the answer follows
        answer = next(o["text"] for o in q["options"] if o["label"] == q["answer"][0])
        assert dict(g["options"])[g["answer"]] == " ".join(answer.split())


# -- filters and errors -----------------------------------------------------------------------

def test_filters(hand_corpus, tmp_path):
    def ids(*options: str) -> tuple[set[str], str]:
        out = tmp_path / "f.xml"
        result = export(hand_corpus, "moodle", out, *options)
        return set(read_moodle(out)[1]), result.stderr

    every = {q["id"] for q in ANSWERED}
    got, stderr = ids("--lang", "ko")
    assert got == {q["id"] for q in ANSWERED if q["lang"] == "ko"} | {"q-bilingual"}
    assert "not in --lang ko" in stderr
    assert ids("--source", "exam-en")[0] == {q["id"] for q in ANSWERED if "exam-en" in q["source"]["path"]}
    assert ids("--source", "*.docx")[0] == {q["id"] for q in ANSWERED if q["source"]["path"].endswith(".docx")}
    assert ids("--source", "hand/*.pdf", "--source", "nothing")[0] == {
        q["id"] for q in ANSWERED if q["source"]["path"].endswith(".pdf")}
    assert ids("--module", "3")[0] == {"q-dup-options"}
    got, stderr = ids("--exclude-flag", "image_dependent")
    assert got == every - {"q-flagged"}
    assert "left out 2 questions: 1 flagged image_dependent, 1 without an answer" in stderr

    out = tmp_path / "tables"
    export(hand_corpus, "csv", out, "--lang", "en")  # tables keep unanswered questions; filters apply
    import pandas as pd

    table = pd.read_csv(out / "questions.csv", dtype=str, keep_default_na=False)
    assert set(table["id"]) == {q["id"] for q in HAND if q["lang"] == "en"}


def test_export_errors(hand_corpus, tmp_path):
    for fmt in ("moodle", "gift", "qti", "anki", "aiken"):
        result = run("export", str(hand_corpus), "--to", fmt, "--out", str(tmp_path))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [f"qbank: --out {tmp_path}: is a folder; this format writes one file"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no temp file left
    result = run("export", str(tmp_path / "missing"), "--to", "gift", "--out", str(tmp_path / "x.txt"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1

    empty = tmp_path / "empty"
    empty.mkdir()
    for name in ("questions.jsonl", "knowledge.jsonl"):
        (empty / name).write_text("")
    for fmt, name in FORMATS.items():
        result = export(empty, fmt, tmp_path / "out" / name)
        assert (tmp_path / "out" / name).exists(), fmt
