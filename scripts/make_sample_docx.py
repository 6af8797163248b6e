#!/usr/bin/env python3
"""Generate ``samples/exam-dump.docx`` (+ ``.expected.json``): every exam-dump shape.

Question text comes from ../shared/data/mls-guide-with-questions.txt (#1, #131, #198, the
last in Korean and English) or is written here. Shapes: ExamTopics chrome and community
votes, a table inside a stem, (Choose three.) with a gap in the options and a Korean prose
answer, a bilingual block with options continued over paragraphs, Word auto-numbered
options (the letter only in numbering.xml, restarted by a second list), answers marked by
bold or highlight only, ``정답: B``, ``정답은 C입니다``, an answer key at the end, markers
``A)``, ``(A)``, ``a)``, ``1.``, a picture, page breaks, empty paragraphs and cp1255 /
cp1252 mojibake of pasted web text.

The expected answers go to ``tests/data/exam-dump.expected.json`` (the generator's own
input, not parser output; outside samples/ so the demo build reads only documents). Run: ``python3 scripts/make_sample_docx.py [OUT_DIR]``.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK, WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, RGBColor

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "samples"


#: Debian's fonts-nanum (scripts/install-system-deps.sh): Hangul and Latin in one face.
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def text_png(lines: list[str], width: int = 520, size: float = 13) -> bytes:
    """A screenshot-like grey PNG of ``lines`` (what a pasted exhibit or a question
    captured as a picture looks like), rendered by PyMuPDF at 200 dpi."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width, height=24 + 22 * len(lines))
    page.insert_font(fontname="nanum", fontfile=str(NANUM))
    for index, line in enumerate(lines):
        page.insert_text((14, 26 + 22 * index), line, fontname="nanum", fontsize=size)
    return page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).tobytes("png")


def add_letter_list(document, restart: bool, num_id: int, abstract_id: int) -> None:
    """An abstractNum with upperLetter '%1.' and a num for it (startOverride if restart)."""
    numbering = document.part.numbering_part.element
    if numbering.find(qn("w:abstractNum") + f"[@{qn('w:abstractNumId')}='{abstract_id}']") is None:
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            '<w:multiLevelType w:val="hybridMultilevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/>'
            '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
            '<w:lvlText w:val="%2)"/><w:lvlJc w:val="left"/></w:lvl>'
            '</w:abstractNum>')
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
    override = ('<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
                if restart else "")
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                               f'<w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'))


def numbered(document, text: str, num_id: int, bold: bool = False, highlight: bool = False):
    paragraph = document.add_paragraph()
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/>'
                          f'<w:numId w:val="{num_id}"/></w:numPr>'))
    run = paragraph.add_run(text)
    run.bold = bold or None
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def paragraphs(document, *lines: str) -> None:
    for line in lines:
        document.add_paragraph(line)


def page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def build() -> tuple[bytes, dict[str, list[str]]]:
    d = Document()
    d.core_properties.title = "qbank sample exam dump"
    expected: dict[str, list[str]] = {}

    # ---- ExamTopics paste (#1): chrome, a table in the stem, Most Voted, votes, comments
    d.add_paragraph("examtopics.com/exams/amazon/aws-certified-machine-learning-specialty/view/1/")
    d.add_paragraph("Question #1")
    d.add_paragraph("A large mobile network operating company is building a machine learning model "
                    "to predict customers who are likely to unsubscribe from the service. The "
                    "companyג€™s cost of churn is far greater than the cost of the incentive.")
    d.add_paragraph("The model produces the following confusion matrix after evaluating on a test "
                    "dataset of 100 customers:")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["n=100", "PREDICTED Yes", "PREDICTED No"],
                             ["ACTUAL Yes", "10", "4"], ["ACTUAL No", "10", "76"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("Based on the model evaluation results, why is this a viable model for production?")
    d.add_paragraph("A. The model is 86% accurate and the cost incurred by the company as a result "
                    "of false negatives is less than the false positives. Most Voted")
    d.add_paragraph("B. The precision of the model is 86%, which is less than the accuracy of the model.")
    d.add_paragraph("C. The model is 86% accurate and the cost incurred by the company as a result "
                    "of false positives is less than the false negatives. Most Voted")
    d.add_paragraph("D. The precision of the model is 86%, which is greater than the accuracy of the model.")
    paragraphs(d, "Hide Solution", "Discussion 76")
    d.add_paragraph("Correct Answer: A")
    expected["1"] = ["A"]
    d.add_paragraph("Community vote distribution")
    d.add_paragraph("C (71%)")
    d.add_paragraph("A (29%)")
    d.add_paragraph("befydorta Highly Voted 3 months, 1 week ago")
    d.add_paragraph("Selected Answer: C")
    d.add_paragraph("no discussion c :)")
    d.add_paragraph("upvoted 40 times")
    page_break(d)

    # ---- prompt paste (#131): (Choose three.), a gap (no B), Korean prose answer list
    d.add_paragraph("Question #131")
    d.add_paragraph("A financial services company wants to adopt Amazon SageMaker as its default "
                    "data science environment. The company is worried about data egress and wants "
                    "an ML engineer to secure the environment.")
    d.add_paragraph("Which mechanisms can the ML engineer use to control data egress from SageMaker? "
                    "(Choose three.)")
    paragraphs(d, "- A. Connect to SageMaker by using a VPC interface endpoint powered by AWS PrivateLink.",
               "- C. Disable root access on the SageMaker notebook instances.",
               "- D. Enable network isolation for training jobs and models.",
               "- E. Restrict notebook presigned URLs to specific IPs used by the company.",
               "- F. Protect data with encryption at rest and in transit.",
               "정답은 다음 세 가지입니다. (Choose three)",
               "- A. VPC 인터페이스 엔드포인트 사용",
               "- D. 훈련 작업 및 모델의 네트워크 격리 사용",
               "- F. 저장 및 전송 중 데이터 암호화")
    expected["131"] = ["A", "D", "F"]
    page_break(d)

    # ---- bilingual block (#198): Korean, then English, answer, Korean explanation
    d.add_paragraph("Question #198")
    d.add_paragraph("회사에서는 애플리케이션에서 생성된 문서의 분류를 예측하려고 합니다.")
    d.add_paragraph("")
    d.add_paragraph("새 문서는 3초마다 Amazon S3 버킷에 저장됩니다.")
    d.add_paragraph("최소한의 운영 오버헤드로 이러한 요구사항을 충족하는 접근 방식은 무엇입니까?")
    ko_options = [
        ("A. 새 문서가 생성될 때 AWS Lambda 함수를 호출하는 S3 이벤트 알림을 구성합니다.",
         "3개의 SageMaker 배치 변환 작업을 생성하도록 Lambda 함수를 구성합니다."),
        ("B. 모든 모델을 단일 SageMaker 엔드포인트에 배포합니다.",
         "각 모델을 production variant으로 취급합니다."),
        ("C. 각 모델을 자체 SageMaker 엔드포인트에 배포합니다.",
         "각 엔드포인트를 호출하도록 Lambda 함수를 구성합니다."),
        ("D. 각 모델을 자체 SageMaker 엔드포인트에 배포합니다.", "3개의 AWS Lambda 함수를 생성합니다."),
    ]
    for first, more in ko_options:
        d.add_paragraph(first)
        d.add_paragraph(more)
    d.add_paragraph("Question #198")
    d.add_paragraph("A company wants to predict the classification of documents that are created "
                    "from an application. New documents are saved to an Amazon S3 bucket every 3 seconds.")
    d.add_paragraph("Which approach will meet these requirements with the LEAST operational overhead?")
    for first, more in (
            ("A. Configure an S3 event notification that invokes an AWS Lambda function.",
             "Configure the Lambda function to create three SageMaker batch transform jobs."),
            ("B. Deploy all the models to a single SageMaker endpoint.",
             "Treat each model as a production variant."),
            ("C. Deploy each model to its own SageMaker endpoint.",
             "Configure the Lambda function to call each endpoint."),
            ("D. Deploy each model to its own SageMaker endpoint.",
             "Create three AWS Lambda functions.")):
        d.add_paragraph(first)
        d.add_paragraph(more)
    d.add_paragraph("Correct Answer: B")
    expected["198"] = ["B"]
    d.add_paragraph("최적의 운영 부담을 고려할 때 회사는 B 옵션을 선택하는 것이 가장 좋습니다.")
    d.add_paragraph("- A 옵션: 가장 복잡합니다.")
    d.add_paragraph("- B 옵션: 가장 간단합니다.")
    page_break(d)

    # ---- Word auto-numbered options; the answer only in bold, then a restarted list
    add_letter_list(d, restart=False, num_id=901, abstract_id=900)
    add_letter_list(d, restart=True, num_id=902, abstract_id=900)
    d.add_paragraph("Question #301")
    d.add_paragraph("Which AWS service stores training data as objects?")
    for i, text in enumerate(("Amazon EBS", "Amazon EFS", "Amazon S3", "Amazon RDS")):
        numbered(d, text, 901, bold=(i == 2))
    expected["301"] = ["C"]
    d.add_paragraph("Question #302")
    d.add_paragraph("Which service labels data with human workers? (Choose two.)")
    for i, text in enumerate(("Amazon SageMaker Ground Truth", "Amazon Polly",
                              "Amazon Mechanical Turk", "Amazon Lex", "AWS Glue")):
        numbered(d, text, 902, highlight=i in (0, 2))
    expected["302"] = ["A", "C"]

    # ---- 정답: B / prose 정답은 C입니다 / markers A) (A) a) 1.
    paragraphs(d, "Question #303", "다음 중 분류 모델의 평가 지표가 아닌 것은 무엇입니까?",
               "A) 정밀도", "B) 평균 제곱 오차", "C) 재현율", "D) F1 점수", "정답: B")
    expected["303"] = ["B"]
    paragraphs(d, "Question #304", "과대적합을 줄이는 방법은 무엇입니까?",
               "(A) 에포크 늘리기", "(B) 특성 추가", "(C) 드롭아웃 적용", "(D) 학습률 높이기",
               "정답은 C입니다. 드롭아웃은 뉴런을 무작위로 끕니다.")
    expected["304"] = ["C"]
    page_break(d)

    # ---- answers only in a key at the end; a picture in a stem
    d.add_paragraph("Question #305")
    d.add_paragraph("Which chart is shown in the exhibit?")
    d.add_paragraph().add_run().add_picture(io.BytesIO(text_png(
        ["Exhibit 1: customer age against yearly income", "one dot per customer, no bins"])),
        width=Inches(4))
    paragraphs(d, "a) A histogram", "b) A scatter plot", "c) A box plot", "d) A heat map")
    expected["305"] = ["B"]
    paragraphs(d, "Question #306", "Which algorithms are supervised? (Choose two.)",
               "1. K-means", "2. XGBoost", "3. Linear learner", "4. PCA")
    expected["306"] = ["B", "C"]
    # ---- a whole question pasted as a screenshot: only OCR can read it
    d.add_paragraph("Question #307")
    d.add_paragraph().add_run().add_picture(io.BytesIO(text_png(
        ["다음 중 시계열 데이터의 예측에 적합한 알고리즘은 무엇입니까?",
         "A. K-means", "B. Principal component analysis", "C. DeepAR", "D. Object2Vec"])),
        width=Inches(4.5))
    d.add_paragraph("정답: C")
    expected["307"] = ["C"]

    # ---- the answer marked only by red text
    d.add_paragraph("Question #308")
    d.add_paragraph("Which SageMaker feature detects bias in training data?")
    for i, text in enumerate(("A. SageMaker Clarify", "B. SageMaker Neo", "C. SageMaker Edge",
                              "D. SageMaker Autopilot")):
        run = d.add_paragraph().add_run(text)
        if i == 0:
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    expected["308"] = ["A"]
    paragraphs(d, "Answer key", "305. B  306. B, C")

    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue(), expected


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data, expected = build()
    (OUT / "exam-dump.docx").write_bytes(data)
    answers = Path(__file__).resolve().parent.parent / "tests" / "data" / "exam-dump.expected.json"
    answers.write_text(
        json.dumps({"answers": expected}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT / 'exam-dump.docx'} ({len(data)} bytes), {len(expected)} questions")


if __name__ == "__main__":
    main()
