#!/usr/bin/env python3
"""Generate synthetic exam documents that combine question layouts at random (seeded).

Every document draws at random one choice from each dimension below; combinations that
make no sense together are redrawn (GIFT options only with GIFT answers, ``[ ]`` options
only with ``[CORRECT]`` tags or an answer line, circled options only with circled / filled
answers, Word lists only in DOCX, unlabelled options only with an answer line, ...). Of a
few random draws a document takes the one with most choices that earlier documents have
not used, so ~44 documents use every style:

* **format**: DOCX (python-docx; Word lists as numbering.xml entries) or PDF (PyMuPDF,
  a text layer; Hangul in NanumGothic, Chinese and Japanese in MuPDF's built-in Droid
  Sans Fallback ``china-s`` / ``japan`` (no bold face), other scripts in DejaVu Sans;
  bold as a bold face, a highlight as a yellow rectangle drawn behind the text, colour as
  the text colour);
* **page** (PDF): one column, or two columns (``pdf2col`` in the name): whole questions
  down the left column, then the right (at most ``per_column`` a column, so that there
  are 3 pages or more), a title across both, and a header line in the top margin of every
  page (``Practice exam — page 2``, page furniture);
* **language**: en, ko, zh, de, es, vi, ru, ja (all question text is written here);
* **number style**: ``1.`` ``1)`` ``(1)`` ``Q1`` ``Q1:`` ``Question 1`` ``Question1:``
  ``NEW QUESTION 12`` ``Question #7`` markdown ``#### Q1.`` / ``**Question 3**`` (as
  literal text), ``문제 1`` ``1번`` ``問1`` ``問題 3`` ``第 1 题`` ``Câu 1:`` ``Aufgabe 3``
  ``Pregunta 2:`` ``Questão 4.`` ``Вопрос 5.`` ``Soru 2:`` ``1F:`` ``Question 3 of 50:``
  (the total shown) ``Q.7`` full-width ``問１`` (Chinese, Japanese) ``1<TAB>stem``, Word
  auto-numbering (DOCX), a ``Question:`` label before an unnumbered stem (``Question: What
  is …?``, ``Frage:``, ``问题：`` …) or none (Aiken style);
* **option style**: ``A.`` ``A)`` ``(A)`` ``a.`` ``a)`` ``A、`` ``A:`` ``A - text`` Cyrillic
  ``а)`` / ``А.`` (Russian only), katakana ``ア.`` (Japanese only), full-width ``Ａ．``
  (Chinese, Japanese), ``①``-``⑤`` ``1:``-``4:``, typed bullets ``• text`` (DOCX too),
  dashes ``- text`` (only with an answer line or a formatting signal), unlabelled plain
  lines after a stem that ends with ``?`` / ``:`` (only with an answer line; no option a
  bare number, and in a PDF each option fits one line), a Word auto-lettered list (DOCX;
  restarted per question by ``w:lvlOverride/w:startOverride``, by a new abstractNum, or
  as level 2 of the question list), a Word bulleted list (DOCX), ``[ ]`` checkboxes, markdown ``- [ ]`` checkboxes,
  ``☐`` boxes, several options on one line separated by tabs, all options run together
  on one line one space apart (``A. 1955 B. 1956 C. 1957``; only questions whose options
  are all at most 25 characters and fit one line), options separated by ``w:br`` line
  breaks in one paragraph (DOCX), GIFT ``{~wrong =right}``;
* **answer signal**: ``Answer: B``, ``Correct Answer: 2``, ``ANSWER: B`` (Aiken),
  ``Answer: Option B``, ``Answer: (B)``, ``Answer: B) text of B``, ``Ans. B``,
  ``정답: ③``, ``正确答案：D``, ``Đáp án: B``, ``Lösung: B``, ``Respuesta: B``, ``Ответ: б``
  (with Cyrillic options), ``正解：イ`` (with katakana options), letters in parentheses at
  the end of the stem ``( C )``, the option's text (``Answer: <text>``), bold / highlight
  / red font colour on the correct option, a star glued before its label ``*B. text``, a
  mark after it ``C. text ✓`` / ``C. text (correct)``, a filled circled digit ``❷``,
  ``[CORRECT]`` instead of ``[ ]``, ``- [x]`` / ``☑`` for the checked box, GIFT ``=`` or
  ``%100%`` / ``%50%`` weights, an answer key at the end (lines ``1. B``; one heading-free
  line ``Answers: 1-B, 2-C, 3-A``; DOCX tables: two columns under a heading, ``No. |
  Answer`` with a header row, ``No. | Answer | Explanation``), or an answer column in a
  table with one question per row (DOCX).

Some questions have two correct options where the signal can say so, some have an
``Explanation:`` line; in **explist** documents (those with an answer line) some
explanations after the answer line carry a dash list of 3-5 items (``- read …``), which
must not become options. Each document holds 5-12 questions and is written next to
``<name>.expected.jsonl``, in the format of ``../shared/gold/exams/*.expected.jsonl``
(``number`` printed, or the 1-based position when unnumbered; ``options`` without labels;
``answer`` letters by position; ``multi``). ``<name>`` is
``NNN_FORMAT_LANG_NUMBER_OPTION_ANSWER`` (FORMAT ``docx``, ``pdf`` or ``pdf2col``); every
sub-choice (placement of the number, list restart method, separators, ...) is in the
hidden ``OUT_DIR/.layouts.json`` (hidden so that ``qbank build OUT_DIR`` skips it). Output is deterministic for a seed, documents included.

Run ``python3 scripts/make_exam_layouts.py OUT_DIR --count N --seed S``; score a corpus
built from them with ``python3 scripts/make_exam_layouts.py OUT_DIR --score CORPUS_DIR``
(tallies per layout dimension). Importable: ``generate(out_dir, count, seed)``,
``plan(count, seed)`` and ``check_document(expected, records)``.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import difflib
import io
import json
import random
import re
import sys
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

LETTERS = "ABCDE"
CIRCLED = "①②③④⑤"
FILLED = "❶❷❸❹❺"
CYR_LOWER, CYR_UPPER = "абвгд", "АБВГД"
KATAKANA = "アイウエオ"
FONTS = Path("/usr/share/fonts/truetype")
PDF_FONTS = {  # lang -> (regular, bold or None); a path, or the name of a MuPDF built-in font
    "ko": (FONTS / "nanum/NanumGothic.ttf", FONTS / "nanum/NanumGothicBold.ttf"),
    "zh": ("china-s", None),
    "ja": ("japan", None),   # MuPDF's built-in Droid Sans Fallback again (kana and kanji)
    "*": (FONTS / "dejavu/DejaVuSans.ttf", FONTS / "dejavu/DejaVuSans-Bold.ttf"),
}

# ----------------------------------------------------------------------------- questions
# (stem, options, correct letters by position, explanation or None). Written for this
# generator; options are shuffled per document. No GIFT special characters (~ = # { } :).
Q = tuple[str, list[str], str, "str | None"]

POOL: dict[str, list[Q]] = {
    "en": [
        ("Which AWS service provides object storage with virtually unlimited capacity?",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A",
         "Amazon S3 stores data as objects in buckets."),
        ("Which AWS service runs code without provisioning servers?",
         ["Amazon EC2", "AWS Lambda", "Amazon Lightsail", "AWS Batch"], "B",
         "Lambda runs functions on demand and bills per request."),
        ("Which metric measures the share of actual positives that a classifier finds?",
         ["Precision", "Recall", "Specificity", "Accuracy"], "B",
         "Recall is true positives divided by all actual positives."),
        ("What does a confusion matrix summarise?",
         ["Training time per epoch", "Correct and incorrect predictions per class",
          "The learning rate schedule", "Feature importance"], "B", None),
        ("Which technique reduces overfitting in a neural network?",
         ["Dropout", "Removing the validation set", "Training for more epochs",
          "Increasing the learning rate"], "A",
         "Dropout switches off random units during training."),
        ("Which AWS service is a managed relational database?",
         ["Amazon DynamoDB", "Amazon RDS", "Amazon S3 Glacier", "Amazon SQS"], "B", None),
        ("What is the capital of Australia?", ["Sydney", "Melbourne", "Canberra", "Perth"], "C",
         "Canberra was chosen as a compromise between Sydney and Melbourne."),
        ("Which planet is closest to the Sun?", ["Venus", "Mercury", "Mars"], "B", None),
        ("Which SageMaker feature compiles models to run faster on edge devices?",
         ["SageMaker Neo", "SageMaker Clarify", "SageMaker Ground Truth", "SageMaker Canvas"], "A",
         "Neo compiles a trained model for the target hardware."),
        ("Which service converts speech to text?",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Translate", "Amazon Rekognition"], "B", None),
        ("Which service converts text into lifelike speech?",
         ["Amazon Polly", "Amazon Comprehend", "Amazon Textract", "Amazon Lex"], "A",
         "Polly is the text-to-speech service."),
        ("Which algorithm groups data points without labels?",
         ["Linear regression", "K-means", "Logistic regression", "Random forest classifier"], "B",
         "K-means is an unsupervised clustering algorithm."),
        ("Which AWS service sends one message to many subscribers at once?",
         ["Amazon SNS", "Amazon SQS", "AWS Step Functions", "Amazon Kinesis Data Firehose"], "A", None),
        ("What is 7 times 8?", ["54", "56", "58", "64"], "B", None),
        ("Which gas do plants absorb from the air for photosynthesis?",
         ["Oxygen", "Nitrogen", "Carbon dioxide", "Helium"], "C", None),
        ("Which AWS service extracts text and tables from scanned documents?",
         ["Amazon Textract", "Amazon Kendra", "Amazon Macie", "AWS Glue"], "A",
         "Textract reads printed text, forms and tables."),
        ("Which storage class suits data that is rarely read and can wait hours for retrieval?",
         ["S3 Standard", "S3 Glacier Deep Archive", "S3 Express One Zone", "EBS gp3 volumes"], "B",
         "Deep Archive is the cheapest class, with retrieval within hours."),
        ("In supervised learning, what does the model learn from?",
         ["Unlabelled data only", "Labelled examples", "Random noise", "A reward signal only"], "B", None),
        ("Which AWS service collects metrics and logs from resources?",
         ["Amazon CloudWatch", "AWS CloudTrail", "AWS Config", "Amazon Inspector"], "A", None),
        ("Which AWS service records the API calls made in an account?",
         ["Amazon CloudWatch", "AWS CloudTrail", "AWS Shield", "Amazon GuardDuty"], "B",
         "CloudTrail keeps a history of API activity."),
        ("Which ocean is the largest?",
         ["Atlantic Ocean", "Indian Ocean", "Arctic Ocean", "Pacific Ocean"], "D", None),
        ("What does the learning rate control during gradient descent?",
         ["The size of each weight update", "The number of layers", "The batch size",
          "The number of classes"], "A", None),
        ("Which AWS service is a managed NoSQL key-value database?",
         ["Amazon Aurora", "Amazon DynamoDB", "Amazon Redshift", "Amazon Neptune"], "B",
         "DynamoDB is a serverless key-value and document database."),
        ("Which service is a data warehouse for analytical queries?",
         ["Amazon Redshift", "Amazon ElastiCache", "Amazon MQ", "AWS AppSync"], "A", None),
        ("Who wrote the play Romeo and Juliet?",
         ["Charles Dickens", "William Shakespeare", "Jane Austen", "Mark Twain"], "B", None),
        ("Which activation function outputs values between 0 and 1?",
         ["ReLU", "Sigmoid", "Linear", "Leaky ReLU"], "B",
         "The sigmoid squashes any input into the range from 0 to 1."),
        ("Which AWS service translates text between languages?",
         ["Amazon Translate", "Amazon Comprehend", "Amazon Polly"], "A", None),
        ("How many bits are in one byte?", ["4", "8", "16", "32"], "B", None),
        ("Which AWS feature spreads incoming traffic across several targets?",
         ["Elastic Load Balancing", "Amazon Route 53 Resolver", "AWS Direct Connect",
          "Amazon VPC peering"], "A", None),
        ("Which machine learning task predicts a continuous number?",
         ["Classification", "Regression", "Clustering", "Dimensionality reduction",
          "Topic modelling"], "B", "Regression models output a real value."),
        ("Which element has the chemical symbol Fe?",
         ["Fluorine", "Iron", "Lead", "Tin", "Francium"], "B", None),
        ("Which AWS service builds chatbots that understand voice and text?",
         ["Amazon Lex", "Amazon Connect", "Amazon Pinpoint", "Amazon Chime"], "A",
         "Lex provides speech recognition and language understanding for bots."),
        ("Which TWO services are serverless compute options on AWS? (Choose two.)",
         ["AWS Lambda", "AWS Fargate", "Amazon EC2 Dedicated Hosts", "Amazon Lightsail instances"],
         "AB", "Lambda runs functions and Fargate runs containers without servers to manage."),
        ("Which TWO techniques help with an imbalanced training set? (Choose two.)",
         ["Shuffling the column order", "Oversampling the minority class",
          "Removing the minority class", "Using class weights in the loss"], "BD", None),
        ("Which TWO of these numbers are prime? (Choose two.)", ["9", "11", "15", "17"], "BD", None),
        ("Which TWO AWS services run containers? (Choose two.)",
         ["Amazon SES", "Amazon ECS", "Amazon SNS", "Amazon EKS"], "BD",
         "ECS and EKS are the container orchestration services."),
        ("Which TWO are supervised learning algorithms? (Choose two.)",
         ["Random forest", "DBSCAN", "Support vector machine", "Hierarchical clustering"], "AC", None),
        ("Which TWO are official languages of Canada? (Choose two.)",
         ["English", "Spanish", "French", "German"], "AC", None),
        ("Which TWO metrics evaluate a regression model? (Choose two.)",
         ["Root mean squared error", "Recall", "Mean absolute error", "Area under the ROC curve",
          "Precision"], "AC", "RMSE and MAE measure the size of numeric errors."),
        ("Which TWO services help protect web applications against attacks? (Choose two.)",
         ["AWS Shield", "AWS WAF", "Amazon Macie", "AWS Artifact"], "AB", None),
        ("Which TWO are primary colours of light? (Choose two.)",
         ["Red", "Yellow", "Green", "Brown"], "AC", None),
        ("Choose the TWO AWS services below that store shared files:",
         ["Amazon EFS", "Amazon FSx", "Amazon SQS", "AWS IAM"], "AB", None),
        ("Which TWO AWS services process streaming data? (Choose two.)",
         ["Amazon Kinesis Data Streams", "Amazon Managed Service for Apache Flink", "AWS Snowball",
          "Amazon S3 Glacier"], "AB", None),
    ],
    "ko": [
        ("다음 중 객체 스토리지 서비스는 무엇입니까?",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A", "S3는 데이터를 객체로 저장합니다."),
        ("서버를 관리하지 않고 코드를 실행하는 AWS 서비스는?",
         ["Amazon EC2", "AWS Lambda", "Amazon RDS", "Amazon VPC"], "B", None),
        ("대한민국의 수도는 어디입니까?", ["부산", "서울", "인천", "대구"], "B", None),
        ("모델의 과대적합을 완화하는 기법은?",
         ["가중치 규제 추가", "학습 데이터 줄이기", "은닉층 늘리기", "검증 데이터 제거"], "A",
         "가중치 규제는 큰 가중치에 벌점을 줍니다."),
        ("레이블이 없는 데이터를 비슷한 것끼리 묶는 알고리즘은?",
         ["선형 회귀", "K-평균 군집화", "로지스틱 회귀", "의사결정나무 분류"], "B", None),
        ("다음 중 가장 큰 행성은?", ["지구", "화성", "목성", "금성"], "C", "목성은 태양계에서 가장 큰 행성입니다."),
        ("음성을 텍스트로 변환하는 AWS 서비스는?",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Translate"], "B", None),
        ("한글을 창제한 왕은 누구입니까?", ["태조", "세종대왕", "정조", "광개토대왕", "고종"], "B", None),
        ("회귀 모델을 평가하는 지표는?", ["평균 절대 오차", "정밀도", "재현율", "혼동 행렬"], "A",
         "평균 절대 오차는 예측값과 실제값 차이의 평균입니다."),
        ("다음 중 관계형 데이터베이스 서비스를 두 개 고르시오.",
         ["Amazon RDS", "Amazon DynamoDB", "Amazon Aurora", "Amazon SQS"], "AC", None),
        ("다음 중 짝수를 두 개 고르시오.", ["3", "4", "7", "10"], "BD", None),
        ("지도 학습 알고리즘을 두 개 고르시오.", ["랜덤 포레스트", "DBSCAN", "서포트 벡터 머신", "계층적 군집화"],
         "AC", None),
    ],
    "zh": [
        ("以下哪项是 AWS 的对象存储服务？", ["Amazon S3", "Amazon EBS", "Amazon EFS", "Amazon RDS"], "A",
         "S3 以对象形式存储数据。"),
        ("中国的首都是哪座城市？", ["上海", "北京", "广州", "深圳"], "B", None),
        ("哪种方法可以减少神经网络的过拟合？", ["增加训练轮数", "使用丢弃法", "提高学习率", "删除验证集"], "B",
         "丢弃法在训练时随机关闭部分神经元。"),
        ("以下哪个 AWS 服务可以无服务器运行代码？",
         ["AWS Lambda", "Amazon EC2", "Amazon Lightsail", "AWS Outposts"], "A", None),
        ("一年有多少个月？", ["十个月", "十一个月", "十二个月"], "C", None),
        ("以下哪项属于无监督学习？", ["线性回归", "逻辑回归", "K 均值聚类", "支持向量机"], "C", None),
        ("将语音转换为文字的 AWS 服务是？",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Translate", "Amazon Lex"], "B", None),
        ("水的化学式是什么？", ["CO2", "H2O", "NaCl", "O2", "CH4"], "B", None),
        ("以下哪两项是 AWS 的容器服务？（多选）", ["Amazon ECS", "Amazon SES", "Amazon EKS", "Amazon SNS"],
         "AC", None),
        ("以下哪两个数是质数？（多选）", ["4", "7", "9", "13"], "BD", None),
    ],
    "de": [
        ("Welcher AWS-Dienst speichert Daten als Objekte?",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A", "S3 ist ein Objektspeicher."),
        ("Was ist die Hauptstadt von Deutschland?", ["München", "Hamburg", "Berlin", "Köln"], "C", None),
        ("Welche Methode verringert Überanpassung?",
         ["Dropout verwenden", "Mehr Epochen trainieren", "Lernrate erhöhen"], "A", None),
        ("Wie viele Tage hat eine Woche?", ["Fünf", "Sechs", "Sieben", "Acht"], "C", None),
        ("Welcher Dienst wandelt Sprache in Text um?",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Lex", "Amazon Kendra"], "B", None),
        ("Welcher Fluss fließt durch Wien?", ["Rhein", "Elbe", "Donau", "Main", "Weser"], "C",
         "Die Donau fließt durch Wien."),
        ("Welche zwei Dienste führen Container aus? (Zwei Antworten)",
         ["Amazon ECS", "Amazon SES", "Amazon EKS", "Amazon SQS"], "AC", None),
        ("Welche zwei Zahlen sind gerade? (Zwei Antworten)", ["Drei", "Vier", "Sieben", "Zehn"], "BD", None),
    ],
    "es": [
        ("¿Qué servicio de AWS almacena datos como objetos?",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A", None),
        ("¿Cuál es la capital de España?", ["Barcelona", "Sevilla", "Madrid", "Valencia"], "C",
         "Madrid es la capital desde el siglo XVI."),
        ("¿Qué técnica reduce el sobreajuste?",
         ["Aumentar la tasa de aprendizaje", "Aplicar dropout", "Entrenar más épocas"], "B", None),
        ("¿Cuántas patas tiene una araña?", ["Seis", "Ocho", "Diez", "Cuatro"], "B", None),
        ("¿Qué servicio convierte texto en voz?",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Textract", "Amazon Comprehend"], "A", None),
        ("¿Qué planeta se conoce como el planeta rojo?",
         ["Venus", "Júpiter", "Marte", "Saturno", "Mercurio"], "C", "Marte es rojizo por el óxido de hierro."),
        ("¿Qué dos servicios ejecutan contenedores? (Elija dos)",
         ["Amazon ECS", "Amazon SNS", "Amazon EKS", "Amazon SES"], "AC", None),
        ("¿Qué dos colores son primarios en la luz? (Elija dos)", ["Rojo", "Amarillo", "Verde", "Marrón"],
         "AC", None),
    ],
    "vi": [
        ("Dịch vụ AWS nào lưu trữ dữ liệu dưới dạng đối tượng?",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A", None),
        ("Thủ đô của Việt Nam là thành phố nào?",
         ["Thành phố Hồ Chí Minh", "Hà Nội", "Đà Nẵng", "Huế"], "B", "Hà Nội là thủ đô của Việt Nam."),
        ("Một năm có bao nhiêu tháng?", ["Mười", "Mười một", "Mười hai"], "C", None),
        ("Kỹ thuật nào giúp giảm quá khớp?",
         ["Dùng dropout", "Tăng tốc độ học", "Bỏ tập kiểm định", "Huấn luyện thêm nhiều vòng"], "A", None),
        ("Dịch vụ nào chuyển giọng nói thành văn bản?",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Translate", "Amazon Lex"], "B", None),
        ("Sông nào chảy qua Hà Nội?", ["Sông Hồng", "Sông Hương", "Sông Đồng Nai", "Sông Cửu Long", "Sông Mã"],
         "A", None),
        ("Chọn hai dịch vụ chạy container. (Chọn hai)",
         ["Amazon ECS", "Amazon SES", "Amazon EKS", "Amazon SNS"], "AC", None),
        ("Chọn hai số chẵn. (Chọn hai)", ["Ba", "Bốn", "Bảy", "Mười"], "BD", None),
    ],
    "ru": [
        ("Какой сервис AWS хранит данные в виде объектов?",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A", None),
        ("Какой город является столицей России?",
         ["Санкт-Петербург", "Москва", "Казань", "Новосибирск"], "B", None),
        ("Сколько дней в високосном году?", ["365", "366", "364"], "B", "В високосном году есть 29 февраля."),
        ("Какой метод уменьшает переобучение?",
         ["Dropout", "Увеличение скорости обучения", "Удаление валидационной выборки",
          "Больше эпох обучения"], "A", None),
        ("Какой сервис преобразует речь в текст?",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Translate", "Amazon Lex"], "B", None),
        ("Какая река самая длинная в Европе?", ["Дунай", "Волга", "Днепр", "Дон", "Урал"], "B", None),
        ("Выберите два сервиса для запуска контейнеров. (Выберите два)",
         ["Amazon ECS", "Amazon SES", "Amazon EKS", "Amazon SNS"], "AC", None),
        ("Выберите два чётных числа. (Выберите два)", ["Три", "Четыре", "Семь", "Десять"], "BD", None),
    ],
    "ja": [
        ("日本の首都はどこですか。", ["大阪", "京都", "東京", "名古屋"], "C", "東京は明治時代から首都です。"),
        ("オブジェクトストレージを提供する AWS のサービスはどれですか。",
         ["Amazon S3", "Amazon EBS", "Amazon EC2", "AWS Lambda"], "A", "S3 はデータをオブジェクトとして保存します。"),
        ("サーバーを管理せずにコードを実行できるサービスはどれですか。",
         ["Amazon EC2", "AWS Lambda", "Amazon RDS", "Amazon VPC"], "B", None),
        ("一時間は何分ですか。", ["三十分", "六十分", "九十分", "百分"], "B", None),
        ("過学習を抑える手法はどれですか。", ["ドロップアウト", "学習率を上げる", "検証データを消す", "エポック数を増やす"],
         "A", "ドロップアウトは学習中にユニットをランダムに無効にします。"),
        ("日本で一番長い川はどれですか。", ["利根川", "信濃川", "石狩川", "北上川", "最上川"], "B", None),
        ("富士山がまたがる県を二つ選びなさい。", ["静岡県", "長野県", "山梨県", "神奈川県"], "AC", None),
        ("偶数を二つ選びなさい。", ["三", "四", "七", "十"], "BD", None),
        ("日本で一番高い山は？", ["富士山", "北岳", "奥穂高岳", "槍ヶ岳"], "A", "富士山の高さは約 3776 メートルです。"),
        ("一週間は何日ありますか？", ["五日", "六日", "七日", "八日"], "C", None),
        ("音声をテキストに変換する AWS のサービスは？",
         ["Amazon Polly", "Amazon Transcribe", "Amazon Translate", "Amazon Lex"], "B", None),
        ("次のうち、教師なし学習の手法はどれ？", ["線形回帰", "K 平均法", "ロジスティック回帰", "決定木による分類"], "B",
         "K 平均法はラベルのないデータをまとめます。"),
        ("北海道の道庁所在地はどこ？", ["札幌市", "函館市", "旭川市", "釧路市"], "A", None),
    ],
}

LANGS = ["en", "ko", "zh", "de", "es", "vi", "ru", "ja"]
LANG_WEIGHTS = [34, 16, 14, 9, 9, 9, 11, 9]
NO_BOLD_PDF = ("zh", "ja")     # languages whose PDF face has no bold
TITLES = {
    "en": ["Practice Test {k}", "Sample Questions", "Mock Exam - Set {k}"],
    "ko": ["모의고사 {k}회", "기출문제 모음"], "zh": ["模拟试题（第 {k} 套）", "练习题"],
    "de": ["Übungsaufgaben Teil {k}"], "es": ["Preguntas de práctica {k}"],
    "vi": ["Câu hỏi ôn tập số {k}"], "ru": ["Тренировочный тест {k}"],
    "ja": ["模擬試験 第{k}回", "練習問題"],
}

#: "Explanation: …" followed by a dash list (explist documents): lang -> (lead-in, items);
#: 3-5 items are taken. The lead-in ends with a colon, like an asking stem, on purpose.
EXPLAIN_LISTS: dict[str, list[tuple[str, list[str]]]] = {
    "en": [("Keep these points in mind:",
            ["read the whole question before looking at the options", "rule out the choices that are clearly wrong",
             "compare the two closest choices word by word", "look out for words such as always or never",
             "come back to hard questions at the end"]),
           ("Things to review:",
            ["the definition of each service or term", "typical use cases and their limits",
             "how pricing differs between the choices", "which choices are managed for you",
             "related services that are often confused"])],
    "ko": [("다음 사항을 기억하세요:",
            ["지문 전체를 먼저 읽는다", "명백히 틀린 보기를 먼저 지운다", "비슷한 두 보기를 꼼꼼히 비교한다",
             "항상, 절대 같은 표현에 주의한다", "어려운 문항은 마지막에 다시 본다"]),
           ("복습할 내용:", ["각 용어의 정의", "대표적인 사용 사례", "서비스 간의 비용 차이", "관리형 서비스인지 여부",
                        "자주 혼동되는 관련 서비스"])],
    "zh": [("请注意以下几点：", ["先完整阅读题干", "排除明显错误的选项", "仔细比较最接近的两个选项",
                          "留意总是和从不这类绝对说法", "难题留到最后再做"]),
           ("需要复习的内容：", ["每个术语的定义", "典型的使用场景", "各服务之间的费用差异", "是否为托管服务",
                          "容易混淆的相关服务"])],
    "de": [("Darauf sollten Sie achten:",
            ["zuerst die ganze Frage lesen", "offensichtlich falsche Antworten streichen",
             "die zwei ähnlichsten Antworten genau vergleichen", "auf Wörter wie immer oder nie achten",
             "schwierige Fragen am Ende wiederholen"]),
           ("Zum Wiederholen:", ["die Bedeutung jedes Begriffs", "typische Anwendungsfälle",
                                 "Kostenunterschiede zwischen den Diensten", "ob ein Dienst verwaltet wird",
                                 "Dienste, die oft verwechselt werden"])],
    "es": [("Tenga en cuenta lo siguiente:",
            ["leer toda la pregunta primero", "descartar las opciones claramente falsas",
             "comparar con cuidado las dos opciones más parecidas", "fijarse en palabras como siempre o nunca",
             "volver al final a las preguntas difíciles"]),
           ("Para repasar:", ["la definición de cada término", "los casos de uso habituales",
                              "las diferencias de coste entre servicios", "si el servicio es administrado",
                              "los servicios que se suelen confundir"])],
    "vi": [("Cần lưu ý:", ["đọc hết câu hỏi trước", "loại bỏ các lựa chọn sai rõ ràng",
                           "so sánh kỹ hai lựa chọn gần nhất", "chú ý các từ như luôn luôn hoặc không bao giờ",
                           "để câu khó lại làm sau"]),
           ("Nội dung cần ôn:", ["định nghĩa của từng thuật ngữ", "các trường hợp sử dụng điển hình",
                                 "khác biệt về chi phí giữa các dịch vụ", "dịch vụ có được quản lý hay không",
                                 "các dịch vụ dễ nhầm lẫn với nhau"])],
    "ru": [("Обратите внимание:", ["сначала прочитайте весь вопрос", "отбросьте явно неверные варианты",
                                   "внимательно сравните два похожих варианта", "следите за словами всегда и никогда",
                                   "возвращайтесь к трудным вопросам в конце"]),
           ("Что повторить:", ["определение каждого термина", "типичные сценарии использования",
                               "разницу в стоимости сервисов", "управляемый ли это сервис",
                               "сервисы, которые часто путают"])],
    "ja": [("次の点に注意してください：", ["まず問題文を最後まで読む", "明らかに誤りの選択肢を除く", "よく似た二つの選択肢を比べる",
                                "常に、決してなどの言葉に注意する", "難しい問題は最後に見直す"]),
           ("復習すること：", ["各用語の定義", "代表的な利用例", "サービスごとの料金の違い", "マネージドサービスかどうか",
                        "混同しやすい関連サービス"])],
}
#: two-column PDFs: the header line at the top of every page (page furniture)
PAGE_HEADERS = {"*": ["Practice exam — page {n}", "Practice exam — page {n} of {total}"],
                "ko": ["모의고사 — {n}쪽"], "zh": ["模拟考试 — 第 {n} 页"], "ja": ["模擬試験 — {n} ページ"],
                "de": ["Übungsprüfung — Seite {n}"], "es": ["Examen de práctica — página {n}"],
                "vi": ["Đề luyện tập — trang {n}"], "ru": ["Пробный экзамен — страница {n}"]}
#: "Question: What is …?" - the label before an unnumbered stem
STEM_LABELS = {"*": ["Question:"], "de": ["Frage:"], "es": ["Pregunta:"], "ru": ["Вопрос:"], "ko": ["문제:"],
               "zh": ["问题："], "ja": ["問題："], "vi": ["Câu hỏi:"]}

# ----------------------------------------------------------------------------- dimensions
LATIN = ("en", "de", "es", "vi")
FULL_WIDTH = ("zh", "ja")   # languages that type labels in full width (Ａ．, 問１)


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (``B`` -> ``Ｂ``, ``12`` -> ``１２``)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


#: number style -> (label for question n, placements allowed, languages or None for any)
NUMBERS: dict[str, tuple] = {
    "dot": (lambda n: f"{n}.", ("inline",), None),
    "paren": (lambda n: f"{n})", ("inline",), None),
    "enclosed": (lambda n: f"({n})", ("inline",), None),
    "q": (lambda n: f"Q{n}", ("inline", "own"), None),
    "qcolon": (lambda n: f"Q{n}:", ("inline", "own"), None),
    "question": (lambda n: f"Question {n}", ("own",), None),
    "questioncolon": (lambda n: f"Question{n}:", ("inline", "own"), None),
    "newquestion": (lambda n: f"NEW QUESTION {n}", ("own",), None),
    "questionhash": (lambda n: f"Question #{n}", ("own",), None),
    "mdheading": (lambda n: f"#### Q{n}.", ("inline",), None),        # markdown heading, as literal text
    "mdbold": (lambda n: f"**Question {n}**", ("own", "inline"), None),  # markdown bold, as literal text
    "munje": (lambda n: f"문제 {n}", ("own",), ("ko",)),
    "beon": (lambda n: f"{n}번", ("inline", "own"), ("ko",)),
    "mon": (lambda n: f"問{n}", ("inline", "own"), ("zh", "ja")),
    "di": (lambda n: f"第 {n} 题", ("own",), ("zh",)),
    "mondai": (lambda n: f"問題 {n}", ("own", "inline"), ("ja",)),
    "cau": (lambda n: f"Câu {n}:", ("inline", "own"), ("vi",)),
    "aufgabe": (lambda n: f"Aufgabe {n}", ("own",), ("de",)),
    "pregunta": (lambda n: f"Pregunta {n}:", ("inline", "own"), ("es",)),
    "questao": (lambda n: f"Questão {n}.", ("inline", "own"), LATIN),
    "vopros": (lambda n: f"Вопрос {n}.", ("inline", "own"), ("ru",)),
    "soru": (lambda n: f"Soru {n}:", ("inline", "own"), LATIN),
    "f": (lambda n: f"{n}F:", ("inline",), None),
    "qof": (lambda n: f"Question {n} of {{total}}:", ("inline", "own"), None),   # the total: variant of_total
    "qdot": (lambda n: f"Q.{n}", ("inline", "own"), None),
    "fwmon": (lambda n: f"問{full_width(str(n))}", ("inline", "own"), FULL_WIDTH),   # 問１
    "tab": (lambda n: f"{n}", ("tab",), None),
    "wordauto": (None, ("auto",), None),      # DOCX numbering.xml decimal list
    "none": (None, ("none",), None),          # unnumbered (Aiken style)
    "questionlabel": (None, ("label",), None),   # unnumbered, "Question: What is …?"
    "table": (None, ("table",), None),        # the No column of an answer table
}
UPPER_LABELS = {"upper-dot": "{L}. ", "upper-paren": "{L}) ", "upper-enclosed": "({L}) ",
                "upper-dunhao": "{L}、", "upper-colon": "{L}: ", "upper-dash": "{L} - "}
LOWER_LABELS = {"lower-dot": "{l}. ", "lower-paren": "{l}) "}
#: labels in another script: style -> (label template, letters, language)
SCRIPT_LABELS = {"cyr-lower": ("{c}) ", CYR_LOWER, "ru"), "cyr-upper": ("{c}. ", CYR_UPPER, "ru"),
                 "katakana": ("{c}. ", KATAKANA, "ja")}
FULLWIDTH_LABEL = "{F}．"   # "fullwidth": Ａ．東京 (Chinese / Japanese only)
LABELLED = {*UPPER_LABELS, *LOWER_LABELS, *SCRIPT_LABELS, "fullwidth"}   # one option a line, a letter label
CHECKBOXES = ("checkbox", "mdcheckbox", "box")
#: options without a label of their own: plain lines between an asking stem and the
#: answer line ("unlabelled"), typed bullets "• text", dashes "- text"
UNLABELLED = ("unlabelled", "bullet", "dash")
OPTIONS = [*UPPER_LABELS, *LOWER_LABELS, *SCRIPT_LABELS, "fullwidth", "circled", "numcolon", "wordletter",
           "wordbullet", "bullet", "dash", "unlabelled", "checkbox", "mdcheckbox", "box", "tabs", "inline",
           "linebreaks", "gift", "table"]
DOCX_ONLY_OPTIONS = {"wordletter", "wordbullet", "linebreaks", "table"}
INLINE_MAX = 25            # "inline": options run together on one line only when this short
#: answer-line signals -> (keyword, language or None)
LINE_SIGNALS = {"answer": ("Answer:", None), "correct": ("Correct Answer:", None),
                "aiken": ("ANSWER:", None), "jeongdap": ("정답:", "ko"), "zhengque": ("正确答案：", "zh"),
                "dapan": ("Đáp án:", "vi"), "losung": ("Lösung:", "de"), "respuesta": ("Respuesta:", "es"),
                "otvet": ("Ответ:", "ru"), "seikai": ("正解：", "ja"),
                # the value in another form: "Answer: Option B", "Answer: (B)", "Answer: B) text of B", "Ans. B"
                "option": ("Answer:", None), "parenletter": ("Answer:", None), "lettertext": ("Answer:", None),
                "ans": ("Ans.", None)}
#: line signals whose value is written around a letter: only with letter labels
LETTER_ONLY_SIGNALS = ("option", "parenletter", "lettertext")
#: line signals whose value is a letter of another script: signal -> option styles it goes with
SCRIPT_SIGNALS = {"otvet": ("cyr-lower", "cyr-upper"), "seikai": ("katakana", "fullwidth")}
FORMAT_SIGNALS = ("bold", "highlight", "colour")
KEY_ANSWERS = ("keylines", "keyinline", "keytable", "keytablehead", "keytable3")
ANSWERS = [*LINE_SIGNALS, "paren", "text", *FORMAT_SIGNALS, "star", "check", "filled", "tag", "checked",
           "gift", "giftweights", *KEY_ANSWERS, "tablecol"]
DOCX_ONLY_ANSWERS = {"keytable", "keytablehead", "keytable3", "tablecol"}
SINGLE_ONLY_ANSWERS = {"aiken", "text", "gift", "lettertext"}
KEY_HEADINGS = {"*": ["Answers", "Answer Key"], "ko": ["정답"], "zh": ["答案"], "ru": ["Ответы"],
                "ja": ["解答", "正解一覧"]}
#: keyinline: the word before "1-B, 2-C, ..."
KEY_INLINE_WORDS = {"*": ["Answers:", "Answer key:"], "ru": ["Ответы:"], "ja": ["解答："], "ko": ["정답:"],
                    "zh": ["答案："]}
TABLE_HEADERS = {"*": ("No", "Question", "Answer"), "ko": ("번호", "문제", "정답"), "zh": ("序号", "题目", "答案"),
                 "ja": ("番号", "問題", "正解")}
KEY_TABLE_HEADERS = {"*": ("No.", "Answer", "Explanation"), "ru": ("№", "Ответ", "Пояснение"),
                     "ja": ("番号", "正解", "解説")}
CHECK_MARKS = ("✓", "(correct)")
RED = [(0xFF, 0x00, 0x00), (0xC0, 0x00, 0x00), (0xE0, 0x10, 0x10)]


def option_ok(option: str, answer: str) -> bool:
    """May options in style ``option`` carry answers given by ``answer``?"""
    if answer == "tablecol" or option == "table":
        return answer == "tablecol" and option == "table"
    if answer in ("gift", "giftweights") or option == "gift":
        return answer in ("gift", "giftweights") and option == "gift"
    letter_line = answer in LINE_SIGNALS and answer not in SCRIPT_SIGNALS and answer != "aiken"
    if option == "unlabelled":   # plain lines: only an answer line (a letter or the text) tells
        return letter_line or answer == "text"
    if option == "dash":         # "- text": with an answer line or a formatting signal
        return letter_line or answer == "text" or answer in FORMAT_SIGNALS
    if answer == "filled":
        return option == "circled"
    if answer == "tag":
        return option == "checkbox"
    if answer == "checked":   # - [x] / ☑
        return option in ("mdcheckbox", "box")
    if answer in SCRIPT_SIGNALS:
        return option in SCRIPT_SIGNALS[answer]
    if answer in LETTER_ONLY_SIGNALS and value_kind(option) not in ("upper", "lower", "fullwidth"):
        return False
    if answer == "aiken":
        return option in ("upper-dot", "upper-paren", "wordletter")
    if answer == "paren":
        return option in (*UPPER_LABELS, "fullwidth", "tabs", "inline", "linebreaks", "wordletter")
    if answer == "star":      # *B. text
        return option in LABELLED
    if answer == "check":     # B. text ✓ - one option a line
        return option in (*LABELLED, "circled", "numcolon", "wordletter", "wordbullet", "bullet", "linebreaks")
    if option in SCRIPT_LABELS:   # no Latin letters in a line signal next to а) б) / ア. イ.
        return answer not in LINE_SIGNALS
    if option == "circled":
        return answer in LINE_SIGNALS or answer in KEY_ANSWERS
    if option in CHECKBOXES:
        return answer in LINE_SIGNALS or answer == "text"
    if option == "numcolon" and answer == "keyinline":   # "1-1,3" would be ambiguous
        return False
    if answer == "text":   # "Answer: 4" next to options numbered 1:-4: would be ambiguous
        return option != "numcolon"
    return True


#: number styles that print no number (no answer key can refer to them)
UNNUMBERED = ("none", "questionlabel")
#: number styles whose expected number is the 1-based position (Word numbers from 1)
POSITION_NUMBERED = ("wordauto", *UNNUMBERED)


def number_langs_ok(number: str, lang: str) -> bool:
    langs = NUMBERS[number][2]
    return langs is None or lang in langs


def number_specific(number: str, lang: str) -> bool:
    """Is ``number`` a style of ``lang`` in particular (drawn more often for it)?"""
    langs = NUMBERS[number][2]
    return langs is not None and lang in langs and len(langs) <= 2


def number_ok(number: str, fmt: str, lang: str, answer: str) -> bool:
    if (answer == "tablecol") != (number == "table"):
        return False
    if number == "wordauto" and fmt != "docx":
        return False
    if not number_langs_ok(number, lang):
        return False
    return not (answer in KEY_ANSWERS and number in UNNUMBERED)


def value_kind(option: str) -> str:
    if option == "circled":
        return "circled"
    if option == "numcolon":
        return "number"
    if option in LOWER_LABELS:
        return "lower"
    if option == "fullwidth":
        return "fullwidth"
    if option in SCRIPT_LABELS:
        return option
    return "upper"


# ----------------------------------------------------------------------------- plan
@dataclass
class Item:
    number: int
    stem: str
    options: list[str]
    correct: list[int]
    explanation: str | None
    explain_list: list[str] = field(default_factory=list)   # dash items after "Explanation: …"

    def expected(self) -> dict:
        return {"number": self.number, "stem": self.stem, "options": self.options,
                "answer": [LETTERS[i] for i in sorted(self.correct)], "multi": len(self.correct) > 1}


@dataclass
class DocPlan:
    index: int
    width: int
    fmt: str
    lang: str
    number: str
    option: str
    answer: str
    v: dict                      # every sub-choice of the layout
    items: list[Item] = field(default_factory=list)
    page: str = "flow"           # "flow", or "columns" (PDF: two columns, a header line per page)
    explist: bool = False        # explanations after the answer line carry a dash list

    @property
    def name(self) -> str:
        fmt = "pdf2col" if self.page == "columns" else self.fmt
        return f"{self.index:0{self.width}d}_{fmt}_{self.lang}_{self.number}_{self.option}_{self.answer}"

    def layout(self) -> dict:
        return {"format": self.fmt, "page": self.page, "explist": self.explist, "lang": self.lang,
                "number": self.number, "option": self.option, "answer": self.answer, "variants": self.v}


def _asks(stem: str) -> bool:
    """Does the stem end as a question or a lead-in (``?`` ``？`` ``:`` ``：``)?"""
    return stem.rstrip()[-1:] in "?？:："


def _unlabelled_ok(q: Q) -> bool:
    """May this question have plain unlabelled options? Its stem must ask, and no option
    may be a bare number (a line "8" alone reads as a question number on its own line)."""
    return _asks(q[0]) and not any(re.fullmatch(r"\d+", o.strip()) for o in q[1])


def _position_like(q: Q) -> bool:
    """Is a correct option's text a number that could be an option's position (``4`` of
    four options)? Then ``Answer: <text>`` would be ambiguous."""
    return any(re.fullmatch(r"[1-9]", q[1][LETTERS.index(c)].strip()) and int(q[1][LETTERS.index(c)]) <= len(q[1])
               for c in q[2])


#: languages with enough questions for unlabelled options
UNLABELLED_LANGS = {lang for lang, qs in POOL.items() if sum(map(_unlabelled_ok, qs)) >= 5}


def _pick_specific(rng: random.Random, allowed: list[str], specific: list[str], p: float) -> str:
    return rng.choice(specific) if specific and rng.random() < p else rng.choice(allowed)


def has_answer_line(answer: str) -> bool:
    return answer in LINE_SIGNALS or answer == "text"


def _draw_layout(rng: random.Random) -> tuple[str, str, str, str, str, str, bool]:
    """(format, language, number, option, answer, page, explist) of one document."""
    while True:
        fmt = rng.choice(["docx", "pdf"])
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        answers = [a for a in ANSWERS if not (fmt == "pdf" and a in DOCX_ONLY_ANSWERS)
                   and (a not in LINE_SIGNALS or LINE_SIGNALS[a][1] in (None, lang))
                   and not (fmt == "pdf" and lang in NO_BOLD_PDF and a == "bold")]   # no bold CJK face
        answer = _pick_specific(rng, answers, [a for a in answers if a in LINE_SIGNALS
                                               and LINE_SIGNALS[a][1] == lang], 0.3)
        options = [o for o in OPTIONS if not (fmt == "pdf" and o in DOCX_ONLY_OPTIONS)
                   and not (fmt == "pdf" and o == "upper-dunhao" and lang not in ("zh", "ko"))  # no 、 in DejaVu
                   and not (fmt == "pdf" and o == "box" and not _pdf_covers(lang, "☐☑"))
                   and not (fmt == "pdf" and o == "bullet" and not _pdf_covers(lang, "•"))
                   and (o not in SCRIPT_LABELS or SCRIPT_LABELS[o][2] == lang)
                   and (o != "fullwidth" or lang in FULL_WIDTH)
                   and (o != "unlabelled" or lang in UNLABELLED_LANGS)
                   and option_ok(o, answer)]
        if not options:
            continue
        option = _pick_specific(rng, options, [o for o in options if o in SCRIPT_LABELS or o == "fullwidth"], 0.3)
        numbers = [n for n in NUMBERS if number_ok(n, fmt, lang, answer)]
        if not numbers:
            continue
        if answer in ("aiken", "gift", "giftweights") and "none" in numbers and rng.random() < 0.6:
            number = "none"
        elif "wordauto" in numbers and rng.random() < (0.4 if option == "wordletter" else 0.08):
            number = "wordauto"
        else:
            number = _pick_specific(rng, numbers, [n for n in numbers if number_specific(n, lang)], 0.5)
        page = "columns" if fmt == "pdf" and rng.random() < 0.15 else "flow"
        explist = has_answer_line(answer) and rng.random() < 0.25
        return fmt, lang, number, option, answer, page, explist


def _draw_variants(rng: random.Random, plan: DocPlan) -> dict:
    fmt, lang, number, option, answer = plan.fmt, plan.lang, plan.number, plan.option, plan.answer
    bold_face = not (fmt == "pdf" and lang in NO_BOLD_PDF)
    v: dict = {"placement": rng.choice(NUMBERS[number][1]),
               "start": 1 if number in POSITION_NUMBERED or rng.random() < 0.6 else rng.randint(2, 150),
               "title": rng.random() < 0.7,
               "label_bold": bold_face and rng.random() < 0.3,
               "blank_between": rng.random() < 0.5,
               "explanations": answer != "tablecol" and rng.random() < (0.8 if answer == "keytable3" else 0.4),
               "option_indent": rng.choice([0, 0, 14]),
               "value_case": rng.choice(["upper", "upper", "printed"]),
               }
    kind = value_kind(option)
    if kind == "number":
        v["multi_join"] = rng.choice([", ", ","])
    elif kind == "circled":
        v["multi_join"] = rng.choice(["", ", "])
    elif kind == "katakana":
        v["multi_join"] = rng.choice(["、", ", ", ","])
    elif kind in SCRIPT_LABELS:
        v["multi_join"] = rng.choice([", ", "", ","])
    else:
        v["multi_join"] = rng.choice([", ", "", ","] + ([" and "] if lang == "en" else []))
    if option == "circled":
        v["circled_space"] = rng.random() < 0.6
    if answer == "keyinline":   # "1-AC, 2-B": a comma in a value would split the pairs
        v["multi_join"] = ""
    if option in ("tabs", "linebreaks", "inline"):
        v["sublabel"] = rng.choice(["upper-dot", "upper-paren", "upper-enclosed"]
                                   + (["lower-paren"] if answer != "paren" else []))
    if option == "tabs":
        v["tab_columns"] = rng.choice([2, 4])
    if option == "linebreaks":
        v["stem_in_para"] = rng.random() < 0.7
        v["answer_in_para"] = rng.random() < 0.6
    if option == "wordletter":
        v["restart"] = rng.choice(["override", "abstract"] + (["level"] * 2 if number == "wordauto" else []))
        v["letter_text"] = rng.choice(["%1.", "%1)"])
    if number == "wordauto":
        v["number_text"] = rng.choice(["%1.", "%1)"])
    if option == "wordbullet":
        v["bullet"] = rng.choice(["•", "–", "o"])
    if number == "di":
        v["type_suffix"] = rng.random() < 0.5
    if number == "mdheading":
        v["md_hashes"] = rng.choice(["####", "###"])
    if answer == "paren":
        v["paren"] = rng.choice(["spaced", "tight"])
        v["multi_join"] = rng.choice(["", ", "])
    if answer == "text":
        v["text_keyword"] = rng.choice(["Answer:", "Correct Answer:"]
                                       + [k for k, lg in LINE_SIGNALS.values() if lg == lang])
    if answer == "colour":
        v["rgb"] = list(rng.choice(RED))
    if answer == "check":
        v["check_mark"] = rng.choice([m for m in CHECK_MARKS if fmt == "docx" or _pdf_covers(lang, m)])
    if answer in ("keylines", "keytable"):
        v["key_heading"] = rng.choice(KEY_HEADINGS.get(lang, []) + KEY_HEADINGS["*"])
        v["key_sep"] = rng.choice([". ", ") "])
        v["key_row"] = answer == "keylines" and rng.random() < 0.3
        v["key_new_page"] = fmt == "pdf" and rng.random() < 0.5
        v["key_table_header"] = answer == "keytable" and rng.random() < 0.6
    if answer == "keyinline":   # one line, no heading: "Answers: 1-B, 2-C, 3-A"
        v["key_word"] = rng.choice(KEY_INLINE_WORDS.get(lang, []) + KEY_INLINE_WORDS["*"])
        v["key_new_page"] = fmt == "pdf" and rng.random() < 0.3
    if answer in ("keytablehead", "keytable3"):   # "No. | Answer [| Explanation]" header row
        v["key_heading"] = rng.choice(KEY_HEADINGS.get(lang, []) + KEY_HEADINGS["*"]) if rng.random() < 0.5 else None
        headers = rng.choice([KEY_TABLE_HEADERS["*"], KEY_TABLE_HEADERS.get(lang, KEY_TABLE_HEADERS["*"])])
        v["key_table_headers"] = list(headers[:3 if answer == "keytable3" else 2])
    if option == "gift":
        v["gift_form"] = rng.choice(["braces_own_lines", "brace_after_stem", "one_line"])
        v["gift_wrong"] = "~" if answer == "gift" else rng.choice(["~", "~%0%", "~%-50%"])
    if answer == "tablecol":
        v["table_headers"] = rng.choice([TABLE_HEADERS["*"], TABLE_HEADERS.get(lang, TABLE_HEADERS["*"])])
    if number == "fwmon":       # 問１　stem / 問１ stem / 問１．stem
        v["number_sep"] = rng.choice(["\u3000", " ", "．"])
    if number == "questionlabel":
        v["stem_label"] = rng.choice(STEM_LABELS["*"] + STEM_LABELS.get(lang, []))
    if option == "fullwidth":   # Ａ．東京 / Ａ．　東京
        v["fw_gap"] = rng.choice(["", "\u3000"])
    if answer == "lettertext":  # Answer: B) text of B
        v["lt_sep"] = rng.choice([") ", ". "])
    if plan.explist:
        v["explanations"] = True
        v["list_dash"] = rng.choice(["- ", "- ", "– "])
        v["list_indent"] = rng.choice([0, 14])
    if plan.page == "columns":
        v["page_header"] = rng.choice(PAGE_HEADERS["*"] + PAGE_HEADERS.get(lang, []))
        v["header_align"] = rng.choice(["left", "center"])
    return v


def _features(layout: tuple[str, str, str, str, str, str, bool]) -> set[tuple]:
    fmt, lang, number, option, answer, page, explist = layout
    features = {("lang", lang), ("number", number), ("option", option), ("answer", answer),
                ("fmt-option", fmt, option), ("fmt-answer", fmt, answer), ("page", page)}
    if (number, option) in COMBOS:
        features.add(("combo", number, option))
    if option in UNLABELLED:   # typed bullets, dashes and plain lines read differently in DOCX and PDF
        features.add(("combo", fmt, option))
    if explist:
        features.add(("explist",))
    return features


#: pairings worth having at least once: questions and options both in Word lists, and
#: Aiken with auto-lettered options (and, see _features, unlabelled styles in each format)
COMBOS = {("wordauto", "wordletter"), ("none", "wordletter")}
_WEIGHTS = {"lang": 2, "number": 3, "option": 3, "answer": 3, "fmt-option": 1, "fmt-answer": 1, "combo": 3,
            "page": 3, "explist": 3}


def plan_document(seed: int, index: int, width: int = 3, seen: frozenset = frozenset()) -> DocPlan:
    """The layout and questions of document ``index`` for ``seed``. Of a few random
    layouts the one with most choices not in ``seen`` (those of the earlier documents) is
    taken, so that a few dozen documents use every style."""
    rng = random.Random(f"make_exam_layouts/{seed}/{index}")
    while True:
        candidates = [_draw_layout(rng) for _ in range(CANDIDATES)]
        layout = max(candidates, key=lambda c: sum(_WEIGHTS[f[0]] for f in _features(c) - seen))
        fmt, lang, number, option, answer, page, explist = layout
        plan = DocPlan(index, width, fmt, lang, number, option, answer, {}, page=page, explist=explist)
        plan.v = _draw_variants(rng, plan)
        multi_ok = answer not in SINGLE_ONLY_ANSWERS
        pool = [q for q in POOL[lang] if multi_ok or len(q[2]) == 1]
        if option == "inline":
            pool = [q for q in pool if _inline_fits(plan, q[1])]
        if option == "unlabelled":
            pool = [q for q in pool if _unlabelled_ok(q) and _lines_fit(plan, q[1])]
        if answer == "text":   # "Answer: 4" beside four options could name the 4th one
            pool = [q for q in pool if not _position_like(q)]
        if len(pool) < 5:
            continue
        # two columns: enough questions for three pages or more (see per_column)
        count = min(rng.randint(9 if page == "columns" else 5, 12), len(pool))
        chosen = rng.sample(pool, count)
        explain = plan.v["explanations"]
        plan.items = []
        for position, (stem, options, letters, explanation) in enumerate(chosen):
            order = list(range(len(options)))
            rng.shuffle(order)
            correct = sorted(order.index(LETTERS.index(c)) for c in letters)
            number_ = position + 1 if number in POSITION_NUMBERED else plan.v["start"] + position
            plan.items.append(Item(number_, stem, [options[i] for i in order], correct,
                                   explanation if explain and explanation and rng.random() < 0.7 else None))
        if explist:   # some explanations (one at least) get a dash list of 3-5 items
            lists = EXPLAIN_LISTS[lang]
            chosen_items = [item for item in plan.items if rng.random() < 0.5] or plan.items[:1]
            for item in chosen_items:
                lead, points = rng.choice(lists)
                item.explanation = f"{item.explanation} {lead}" if item.explanation else lead
                item.explain_list = rng.sample(points, rng.randint(3, 5))
        if number == "qof":   # "Question 3 of 50:": the total is the last number, or a larger one
            last = plan.items[-1].number
            plan.v["of_total"] = last if rng.random() < 0.5 else last + rng.randint(1, 60)
        if page == "columns":   # at most this many questions a column: 3 pages or more
            plan.v["per_column"] = 2 if count >= 9 else 1
        if fmt == "pdf" and not _pdf_covers(lang, "".join(_all_text(plan))):
            continue  # a glyph the PDF face lacks: redraw (not expected; see _draw_layout)
        return plan


def _inline_fits(plan: DocPlan, options: list[str]) -> bool:
    """May these options run together on one line ("A. 1955 B. 1956 C. 1957")? Only when
    each is short and (PDF) the line fits the page width in any order, bold included."""
    if len(options) < 3 or max(len(o) for o in options) > INLINE_MAX:
        return False
    if plan.fmt == "docx":
        return True
    labels = [_option_label(plan, plan.v["sublabel"], i, False) for i in range(len(options))]
    line = " ".join(label + text for label, text in zip(labels, options))
    room = _room(plan) - plan.v["option_indent"]
    return _text_width(plan.lang, line, False, 10.5) * 1.1 + 10 <= room


def _lines_fit(plan: DocPlan, options: list[str]) -> bool:
    """PDF: does every option fit one line (an unlabelled option wrapped onto a second
    line could not be told from two options)?"""
    if plan.fmt == "docx":
        return all(len(o) <= 60 for o in options)
    room = _room(plan) - plan.v["option_indent"]
    return all(_text_width(plan.lang, o, False, 10.5) + 6 <= room for o in options)


CANDIDATES = 32


def plan(count: int, seed: int) -> list[DocPlan]:
    """The plans of documents 0..count-1 (a prefix of a longer run's plans)."""
    width = max(3, len(str(max(0, count - 1))))
    plans: list[DocPlan] = []
    seen: set[tuple] = set()
    for index in range(count):
        plans.append(plan_document(seed, index, width, frozenset(seen)))
        p = plans[-1]
        seen |= _features((p.fmt, p.lang, p.number, p.option, p.answer, p.page, p.explist))
    return plans


# ----------------------------------------------------------------------------- blocks
@dataclass
class Seg:
    text: str
    bold: bool = False
    color: tuple | None = None
    highlight: bool = False


@dataclass
class Para:
    lines: list[list[Seg]]                 # w:br between lines, tabs between segments
    tabs: list[float] | None = None        # PDF x of each segment (pt from the indent)
    numbering: tuple[int, int] | None = None   # DOCX (numId, ilvl)
    size: float = 10.5
    indent: float = 0
    hang: str = ""                         # PDF: wrapped lines start after this prefix
    sep: str = "\t"                        # between segments: a tab, or " " (run on)
    new_page: bool = False


@dataclass
class Table:
    rows: list[list[str]]
    bold_header: bool = True


def para(text: str, **kw) -> Para:
    return Para([[Seg(text, bold=kw.pop("bold", False))]], **kw)


class Numbering:
    """numbering.xml definitions a DOCX plan needs (ids clear of the template's 1-9)."""

    def __init__(self) -> None:
        self.defs: list[tuple] = []
        self.next_abstract, self.next_num = 100, 100

    def abstract(self, levels: list[tuple[str, str]]) -> int:
        self.next_abstract += 1
        self.defs.append(("abstract", self.next_abstract, levels))
        return self.next_abstract

    def num(self, abstract_id: int, restart: bool = False) -> int:
        self.next_num += 1
        self.defs.append(("num", self.next_num, abstract_id, restart))
        return self.next_num


def _value(plan: DocPlan, indices: list[int]) -> str:
    kind = value_kind(plan.option)
    parts = []
    for i in sorted(indices):
        if kind == "circled":
            parts.append(CIRCLED[i])
        elif kind == "number":
            parts.append(str(i + 1))
        elif kind == "lower" and plan.v["value_case"] == "printed":
            parts.append(LETTERS[i].lower())
        elif kind == "cyr-lower":   # а) б) в): "Ответ: б" as printed, or "Ответ: Б"
            parts.append((CYR_LOWER if plan.v["value_case"] == "printed" else CYR_UPPER)[i])
        elif kind in SCRIPT_LABELS:
            parts.append(SCRIPT_LABELS[kind][1][i])
        else:
            parts.append(LETTERS[i])
    return plan.v["multi_join"].join(parts)


def _answer_line(plan: DocPlan, item: Item) -> str | None:
    if plan.answer in LINE_SIGNALS:
        keyword = LINE_SIGNALS[plan.answer][0]
        value = _value(plan, item.correct)
        if plan.answer == "option":          # Answer: Option B / Answer: Options B, D
            value = ("Options " if len(item.correct) > 1 else "Option ") + value
        elif plan.answer == "parenletter":   # Answer: (B) / Answer: (B, D)
            value = f"({value})"
        elif plan.answer == "lettertext":    # Answer: B) text of B (single answers only)
            value += plan.v["lt_sep"] + item.options[item.correct[0]]
        elif plan.option == "fullwidth" and plan.v["value_case"] == "printed":
            value = full_width(value)        # 正解：Ｂ, as the label is printed
    elif plan.answer == "text":
        keyword, value = plan.v["text_keyword"], item.options[item.correct[0]]
    else:
        return None
    return keyword + ("" if keyword.endswith("：") else " ") + value


def _stem_text(plan: DocPlan, item: Item) -> str:
    stem = item.stem
    if plan.answer == "paren":
        letters = plan.v["multi_join"].join(LETTERS[i] for i in item.correct)
        if plan.lang == "zh":
            stem += f"（ {letters} ）" if plan.v["paren"] == "spaced" else f"（{letters}）"
        else:
            stem += f" ( {letters} )" if plan.v["paren"] == "spaced" else f" ({letters})"
    return stem


def _option_label(plan: DocPlan, style: str, i: int, correct: bool) -> str:
    star = "*" if correct and plan.answer == "star" and style == plan.option else ""   # *B. text
    if style in UPPER_LABELS:
        return star + UPPER_LABELS[style].format(L=LETTERS[i])
    if style in LOWER_LABELS:
        return star + LOWER_LABELS[style].format(l=LETTERS[i].lower())
    if style in SCRIPT_LABELS:
        template, letters, _ = SCRIPT_LABELS[style]
        return star + template.format(c=letters[i])
    if style == "fullwidth":
        return star + FULLWIDTH_LABEL.format(F=full_width(LETTERS[i])) + plan.v["fw_gap"]
    if style == "bullet":   # typed, also in DOCX (a Word bulleted list is "wordbullet")
        return "• "
    if style == "dash":
        return "- "
    if style == "circled":
        mark = FILLED[i] if correct and plan.answer == "filled" else CIRCLED[i]
        return mark + (" " if plan.v["circled_space"] else "")
    if style == "numcolon":
        return f"{i + 1}: "
    if style == "checkbox":
        return "[CORRECT] " if correct and plan.answer == "tag" else "[ ] "
    if style == "mdcheckbox":
        return "- [x] " if correct and plan.answer == "checked" else "- [ ] "
    if style == "box":
        return "☑ " if correct and plan.answer == "checked" else "☐ "
    return ""


def _option_seg(plan: DocPlan, label: str, text: str, correct: bool) -> Seg:
    mark = correct and plan.answer in FORMAT_SIGNALS
    if correct and plan.answer == "check":   # C. text ✓ / C. text (correct)
        text += " " + plan.v["check_mark"]
    return Seg(label + text, bold=mark and plan.answer == "bold",
               color=tuple(plan.v["rgb"]) if mark and plan.answer == "colour" else None,
               highlight=mark and plan.answer == "highlight")


def _number_parts(plan: DocPlan, item: Item) -> tuple[str | None, str]:
    """(label, placement) of the question number."""
    make = NUMBERS[plan.number][0]
    if make is None:
        return None, plan.v["placement"]
    label = make(item.number)
    if plan.number == "mdheading":
        label = label.replace("####", plan.v["md_hashes"])
    if plan.number == "di" and plan.v.get("type_suffix"):
        label += " 多选题" if len(item.correct) > 1 else " 单选题"
    if plan.number == "qof":
        label = label.format(total=plan.v["of_total"])
    return label, plan.v["placement"]


class Builder:
    def __init__(self, plan: DocPlan) -> None:
        self.plan, self.v = plan, plan.v
        self.blocks: list = []
        self.units: list[tuple[str, int]] = []   # (title / question / key, first block)
        self.numbering = Numbering()
        self.qnum = self.letter_abstract = self.bullet_num = None
        if plan.number == "wordauto":
            levels = [("decimal", self.v["number_text"])]
            if plan.option == "wordletter" and self.v["restart"] == "level":
                levels.append(("upperLetter", self.v["letter_text"].replace("%1", "%2")))
            self.qnum = self.numbering.num(self.numbering.abstract(levels))
        if plan.option == "wordletter" and self.v["restart"] == "override":
            self.letter_abstract = self.numbering.abstract([("upperLetter", self.v["letter_text"])])
        if plan.option == "wordbullet":
            self.bullet_num = self.numbering.num(self.numbering.abstract([("bullet", self.v["bullet"])]))

    # ---- pieces
    def _stem_lines(self, item: Item, stem: str) -> tuple[list[list[Seg]], list[float] | None]:
        """Lines (number line if own, stem line) and the tab stops of the stem line."""
        label, placement = _number_parts(self.plan, item)
        if placement == "label":   # Question: What is …?
            label = self.v["stem_label"]
            return [[Seg(label + ("" if label.endswith("：") else " ") + stem)]], None
        if label is None:
            return [[Seg(stem)]], None
        if placement == "own":
            return [[Seg(label, bold=self.v["label_bold"])], [Seg(stem)]], None
        if placement == "tab":
            return [[Seg(label), Seg(stem)]], [0, 28]
        return [[Seg(label + self.v.get("number_sep", " ") + stem)]], None

    def _stem_paras(self, item: Item, stem: str) -> list[Para]:
        lines, tabs = self._stem_lines(item, stem)
        paras = [Para([line], tabs=tabs if line is lines[-1] else None) for line in lines]
        if self.qnum is not None:
            paras[-1].numbering = (self.qnum, 0)
        return paras

    def _letter_numbering(self) -> tuple[int, int]:
        restart = self.v["restart"]
        if restart == "level":
            return self.qnum, 1
        if restart == "override":
            return self.numbering.num(self.letter_abstract, restart=True), 0
        return self.numbering.num(self.numbering.abstract([("upperLetter", self.v["letter_text"])])), 0

    def _after(self, item: Item, in_para: list[list[Seg]] | None = None) -> None:
        """Answer line and explanation, as lines of ``in_para`` or as paragraphs."""
        lines = []   # (text, is a list item)
        answer = _answer_line(self.plan, item)
        if answer:
            lines.append((answer, False))
        if item.explanation and self.plan.answer not in ("keylines", "keytable3"):   # those: in the key
            lines.append((f"Explanation: {item.explanation}", False))
            lines.extend((self.v["list_dash"] + point, True) for point in item.explain_list)
        for line, point in lines:
            if in_para is not None:
                in_para.append([Seg(line)])
            elif point:
                indent = self.v["list_indent"] if self.plan.fmt == "pdf" else 0
                self.blocks.append(para(line, indent=indent, hang=self.v["list_dash"]))
            else:
                self.blocks.append(para(line))

    # ---- one question
    def question(self, item: Item) -> None:
        plan, v = self.plan, self.v
        stem = _stem_text(plan, item)
        indent = v["option_indent"] if plan.fmt == "pdf" else 0
        if plan.option == "gift":
            self._gift(item, stem)
        elif plan.option == "linebreaks":
            self._linebreaks(item, stem)
        else:
            self.blocks.extend(self._stem_paras(item, stem))
            if plan.option == "wordletter":
                numbering = self._letter_numbering()
            elif plan.option == "wordbullet":
                numbering = (self.bullet_num, 0)
            else:
                numbering = None
            if plan.option == "tabs":
                self._tab_rows(item, indent)
            elif plan.option == "inline":
                self._inline_row(item, indent)
            else:
                for i, text in enumerate(item.options):
                    label = _option_label(plan, plan.option, i, i in item.correct)
                    self.blocks.append(Para([[_option_seg(plan, label, text, i in item.correct)]],
                                            numbering=numbering, indent=indent, hang=label))
            self._after(item)
        if v["blank_between"]:
            self.blocks.append(para(""))

    def _tab_rows(self, item: Item, indent: float) -> None:
        plan = self.plan
        segs = [_option_seg(plan, _option_label(plan, plan.v["sublabel"], i, False), text, i in item.correct)
                for i, text in enumerate(item.options)]
        per_row = min(plan.v["tab_columns"], len(segs))
        while per_row > 1 and not self._row_fits(segs, per_row, indent):
            per_row = per_row // 2 if per_row > 2 else 1
        width = (_room(plan) - indent) / per_row
        for start in range(0, len(segs), per_row):
            row = segs[start:start + per_row]
            self.blocks.append(Para([row], tabs=[k * width for k in range(len(row))], indent=indent))

    def _inline_row(self, item: Item, indent: float) -> None:
        """All options on one line, one space apart: ``A. 1955 B. 1956 C. 1957 D. 1958``."""
        plan = self.plan
        segs = [_option_seg(plan, _option_label(plan, plan.v["sublabel"], i, False), text, i in item.correct)
                for i, text in enumerate(item.options)]
        self.blocks.append(Para([segs], indent=indent, sep=" "))

    def _row_fits(self, segs: list[Seg], per_row: int, indent: float) -> bool:
        if self.plan.fmt == "docx":
            return max(len(s.text) for s in segs) <= (22 if per_row > 2 else 44)
        width = (_room(self.plan) - indent) / per_row
        return all(_text_width(self.plan.lang, s.text, s.bold, 10.5) <= width - 12 for s in segs)

    def _linebreaks(self, item: Item, stem: str) -> None:
        """DOCX: stem (optionally) and options in one paragraph, lines split by w:br."""
        plan, v = self.plan, self.v
        lines, tabs = self._stem_lines(item, stem)
        body: list[list[Seg]] = []
        if v["stem_in_para"]:
            body.extend(lines)
        else:
            self.blocks.extend(self._stem_paras(item, stem))
            tabs = None
        for i, text in enumerate(item.options):
            body.append([_option_seg(plan, _option_label(plan, v["sublabel"], i, False), text,
                                     i in item.correct)])
        in_para = body if v["answer_in_para"] else None
        block = Para(body, tabs=tabs if v["stem_in_para"] and len(lines) == 1 else None)
        if v["stem_in_para"] and self.qnum is not None:
            block.numbering = (self.qnum, 0)
        self.blocks.append(block)
        self._after(item, in_para)

    def _gift(self, item: Item, stem: str) -> None:
        plan, v = self.plan, self.v
        multi = len(item.correct) > 1
        marks = []
        for i, text in enumerate(item.options):
            if i in item.correct:
                mark = "=" if plan.answer == "gift" else ("~%50%" if multi else "~%100%")
            else:
                mark = v["gift_wrong"]
            marks.append(mark + text)
        form = v["gift_form"]
        if form == "one_line":
            self.blocks.extend(self._stem_paras(item, stem + " {" + " ".join(marks) + "}"))
        elif form == "brace_after_stem":
            self.blocks.extend(self._stem_paras(item, stem + " {"))
            self.blocks.extend(para(m, indent=v["option_indent"] if plan.fmt == "pdf" else 0) for m in marks)
            self.blocks.append(para("}"))
        else:
            self.blocks.extend(self._stem_paras(item, stem))
            self.blocks.append(para("{"))
            self.blocks.extend(para(m) for m in marks)
            self.blocks.append(para("}"))
        self._after(item)

    # ---- whole document
    def build(self) -> list:
        plan, v = self.plan, self.v
        if v["title"]:
            self.units.append(("title", len(self.blocks)))
            k = (plan.index % 9) + 1
            title = TITLES[plan.lang][plan.index % len(TITLES[plan.lang])].format(k=k)
            self.blocks.append(Para([[Seg(title, bold=plan.lang not in NO_BOLD_PDF or plan.fmt == "docx")]],
                                    size=15))
        if plan.answer == "tablecol":
            self._answer_table()
            return self.blocks
        for item in plan.items:
            self.units.append(("question", len(self.blocks)))
            self.question(item)
        if plan.answer in KEY_ANSWERS:
            self.units.append(("key", len(self.blocks)))
            self._key()
        return self.blocks

    def _answer_table(self) -> None:
        plan = self.plan
        no, question, answer = plan.v["table_headers"]
        width = max(len(item.options) for item in plan.items)
        rows = [[no, question, *LETTERS[:width], answer]]
        for item in plan.items:
            rows.append([str(item.number), _stem_text(plan, item),
                         *(item.options + [""] * (width - len(item.options))), _value(plan, item.correct)])
        self.blocks.append(Table(rows))

    def _key(self) -> None:
        plan, v = self.plan, self.v
        if plan.answer == "keyinline":   # one line, heading-free: "Answers: 1-B, 2-C, 3-A"
            pairs = ", ".join(f"{item.number}-{_value(plan, item.correct)}" for item in plan.items)
            sep = "" if v["key_word"].endswith("：") else " "
            self.blocks.append(Para([[Seg(v["key_word"] + sep + pairs)]], new_page=v["key_new_page"]))
            return
        if plan.answer in ("keytablehead", "keytable3"):   # header row "No. | Answer [| Explanation]"
            if v["key_heading"]:
                self.blocks.append(Para([[Seg(v["key_heading"], bold=True)]], size=13))
            rows = [list(v["key_table_headers"])]
            for item in plan.items:
                row = [str(item.number), _value(plan, item.correct)]
                if plan.answer == "keytable3":
                    row.append(item.explanation or "")
                rows.append(row)
            self.blocks.append(Table(rows))
            return
        heading = Para([[Seg(v["key_heading"], bold=plan.lang not in NO_BOLD_PDF or plan.fmt == "docx")]],
                       size=13, new_page=v["key_new_page"])
        self.blocks.append(heading)
        entries = [(item, f"{item.number}{v['key_sep']}{_value(plan, item.correct)}") for item in plan.items]
        if plan.answer == "keytable":
            rows = [[str(item.number), _value(plan, item.correct)] for item in plan.items]
            if v["key_table_header"]:
                rows.insert(0, ["No", v["key_heading"] if v["key_heading"] != "Answer Key" else "Answer"])
            self.blocks.append(Table(rows, bold_header=v["key_table_header"]))
        elif v["key_row"]:
            for start in range(0, len(entries), 5):
                self.blocks.append(para("   ".join(text for _, text in entries[start:start + 5])))
        else:
            for item, text in entries:
                self.blocks.append(para(text))
                if item.explanation:
                    self.blocks.append(para(f"Explanation: {item.explanation}"))


def _all_text(plan: DocPlan) -> list[str]:
    texts = []
    for block in Builder(plan).build():
        if isinstance(block, Table):
            texts.extend(cell for row in block.rows for cell in row)
        else:
            texts.extend(seg.text for line in block.lines for seg in line)
    if plan.page == "columns":
        texts.append(plan.v["page_header"])
    return texts


# ----------------------------------------------------------------------------- DOCX
def _level_xml(ilvl: int, fmt: str, text: str) -> str:
    left = 720 * (ilvl + 1)
    font = '<w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol"/></w:rPr>' if fmt == "bullet" and text == "" else ""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="360"/></w:pPr>{font}</w:lvl>')


def _add_numbering(document, numbering: Numbering) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    root = document.part.numbering_part.element
    for definition in numbering.defs:
        if definition[0] == "abstract":
            _, abstract_id, levels = definition
            xml = (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                   '<w:multiLevelType w:val="hybridMultilevel"/>'
                   + "".join(_level_xml(i, fmt, text) for i, (fmt, text) in enumerate(levels))
                   + "</w:abstractNum>")
            first_num = root.find(qn("w:num"))
            if first_num is not None:
                first_num.addprevious(parse_xml(xml))
            else:
                root.append(parse_xml(xml))
        else:
            _, num_id, abstract_id, restart = definition
            override = ('<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
                        if restart else "")
            root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                                  f'<w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'))


def _format_run(run, seg: Seg, size: float) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    if seg.bold:
        run.bold = True
    if seg.color:
        run.font.color.rgb = RGBColor(*seg.color)
    if seg.highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if size != 10.5:
        run.font.size = Pt(size)


def render_docx(plan: DocPlan, blocks: list, numbering: Numbering) -> bytes:
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    stamp = datetime.datetime(2024, 1, 1, 0, 0, 0)
    props = document.core_properties
    props.created = props.modified = props.last_printed = stamp
    props.title, props.author, props.last_modified_by, props.revision = "Exam layouts", "qbank", "qbank", 1
    _add_numbering(document, numbering)
    for block in blocks:
        if isinstance(block, Table):
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = value
                    if r == 0 and block.bold_header:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            continue
        paragraph = document.add_paragraph()
        if block.numbering:
            num_id, ilvl = block.numbering
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
        if block.new_page:
            paragraph.paragraph_format.page_break_before = True
        for n, line in enumerate(block.lines):
            run = None
            for k, seg in enumerate(line):
                if k:
                    paragraph.add_run(block.sep)
                if seg.text:
                    run = paragraph.add_run(seg.text)
                    _format_run(run, seg, block.size)
            if n < len(block.lines) - 1:
                (run or paragraph.add_run()).add_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps (python-docx stamps entries with the clock)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# ----------------------------------------------------------------------------- PDF
PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 56.0
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@lru_cache(maxsize=None)
def _font(lang: str, bold: bool):
    import pymupdf

    regular, heavy = PDF_FONTS.get(lang, PDF_FONTS["*"])
    source = heavy if bold and heavy else regular
    return pymupdf.Font(source) if isinstance(source, str) else pymupdf.Font(fontfile=str(source))


def _pdf_covers(lang: str, text: str) -> bool:
    fonts = [_font(lang, False), _font(lang, True)]
    return all(all(f.has_glyph(ord(c)) for f in fonts) for c in set(text) if not c.isspace())


def _text_width(lang: str, text: str, bold: bool, size: float) -> float:
    return _font(lang, bold).text_length(text, fontsize=size)


def _wrap(lang: str, text: str, bold: bool, size: float, width: float, hang: float) -> list[str]:
    """Greedy wrap at spaces (and between CJK characters); lines after the first are
    ``hang`` narrower."""
    tokens = re.findall(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff"
                        r"\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|\s+", text)
    lines, current = [], ""
    for token in tokens:
        limit = width - (hang if lines else 0)
        if current and not token.isspace() and _text_width(lang, (current + token).rstrip(), bold, size) > limit:
            lines.append(current.rstrip())
            current = token
        elif not (token.isspace() and not current):
            current += token
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


class PdfWriter:
    """Lines top to bottom, a new page when one is full; with ``per_column`` two columns
    a page instead: whole units (a question, the key) down the left column, then the
    right, at most ``per_column`` of them a column; a title spans both."""

    def __init__(self, lang: str, per_column: int | None = None) -> None:
        import pymupdf

        self.pymupdf, self.lang = pymupdf, lang
        self.doc = pymupdf.open()
        self.page = None
        self.y = 0.0
        self.per_column = per_column
        self.fonts_by_page: dict[int, set[str]] = {}
        self.left, self.right = MARGIN, PAGE_W - MARGIN
        self.column = self.in_column = 0
        self.column_top = MARGIN
        self.dry = False   # measuring: no drawing, no page breaks

    def _new_page(self) -> None:
        self.page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        self.y = MARGIN
        if self.per_column:
            self._set_column(0, MARGIN)

    def _set_column(self, column: int, top: float) -> None:
        self.column, self.in_column, self.column_top, self.y = column, 0, top, top
        self.left = MARGIN + column * (COLUMN_W + GUTTER)
        self.right = self.left + COLUMN_W

    def _break(self) -> None:
        """The page (or, in two columns, the column) is full."""
        if self.per_column and self.column == 0:
            self._set_column(1, self.column_top)
        else:
            self._new_page()

    def _fontname(self, bold: bool) -> str:
        """F0 (regular) or F1 (bold), put on the page when first used (an unused face
        would stay embedded whole)."""
        name = "F1" if bold else "F0"
        page_fonts = self.fonts_by_page.setdefault(self.page.number, set())
        if name not in page_fonts:
            source = PDF_FONTS.get(self.lang, PDF_FONTS["*"])[bold]
            if isinstance(source, str):
                self.page.insert_font(fontname=name, fontbuffer=_font(self.lang, bold).buffer)
            else:
                self.page.insert_font(fontname=name, fontfile=str(source))
            page_fonts.add(name)
        return name

    def _line_room(self, size: float) -> float:
        height = size * 1.45
        if not self.dry and (self.page is None or self.y + height > PAGE_H - MARGIN):
            if self.page is None:
                self._new_page()
            else:
                self._break()
        self.y += height
        return self.y - size * 0.35   # the baseline

    def _draw(self, x: float, baseline: float, text: str, seg: Seg, size: float, tail: str = "") -> None:
        """``text`` at ``x``, then ``tail`` (a separator: in the text layer, not highlighted)."""
        if self.dry:
            return
        bold = seg.bold and PDF_FONTS.get(self.lang, PDF_FONTS["*"])[1] is not None
        if seg.highlight and text:
            width = _text_width(self.lang, text, bold, size)
            self.page.draw_rect(self.pymupdf.Rect(x - 1, baseline - size * 0.95, x + width + 1,
                                                  baseline + size * 0.3), color=None, fill=(1, 1, 0))
        color = tuple(c / 255 for c in seg.color) if seg.color else (0, 0, 0)
        self.page.insert_text((x, baseline), text + tail, fontname=self._fontname(bold), fontsize=size,
                              color=color)

    def add(self, block) -> None:
        if isinstance(block, Table):
            raise ValueError("tables are DOCX-only layouts")
        if block.new_page and self.page is not None and not self.dry:
            self._new_page()
        x0 = self.left + block.indent
        width = self.right - x0
        if all(not seg.text for line in block.lines for seg in line):
            self.y += block.size * 0.8
            return
        for line in block.lines:
            if block.sep != "\t" and len(line) > 1:   # run on: each segment, then a real space
                baseline, x = self._line_room(block.size), x0
                for k, seg in enumerate(line):
                    self._draw(x, baseline, seg.text, seg, block.size, block.sep if k < len(line) - 1 else "")
                    bold = seg.bold and PDF_FONTS.get(self.lang, PDF_FONTS["*"])[1] is not None
                    x += _text_width(self.lang, seg.text + block.sep, bold, block.size)
                continue
            tabs = block.tabs or [0.0] * len(line)
            baseline = self._line_room(block.size)
            for k, seg in enumerate(line):
                x = x0 + tabs[k]
                if k < len(line) - 1:
                    self._draw(x, baseline, seg.text, seg, block.size)
                    continue
                hang = _text_width(self.lang, block.hang, seg.bold, block.size) if block.hang else 0.0
                pieces = _wrap(self.lang, seg.text, seg.bold, block.size, width - tabs[k], hang)
                for n, piece in enumerate(pieces):
                    if n:
                        baseline = self._line_room(block.size)
                    self._draw(x + (hang if n else 0), baseline, piece, seg, block.size)
        self.y += block.size * 0.35

    def _height(self, blocks: list) -> float:
        """How tall ``blocks`` are in the current column (nothing drawn)."""
        y, self.y, self.dry = self.y, 0.0, True
        try:
            for block in blocks:
                self.add(block)
            return self.y
        finally:
            self.y, self.dry = y, False

    def add_unit(self, kind: str, blocks: list) -> None:
        """Two columns: one unit (title, question or key) kept whole in one column."""
        if self.page is None:
            self._new_page()
        if kind == "title":   # across both columns, on top of the first page
            self.left, self.right = MARGIN, PAGE_W - MARGIN
            for block in blocks:
                self.add(block)
            self._set_column(0, self.y + 6)
            return
        if blocks and isinstance(blocks[0], Para) and blocks[0].new_page:
            self._new_page()
            blocks = [dataclasses.replace(blocks[0], new_page=False), *blocks[1:]]
        elif self.in_column and (self.in_column >= self.per_column
                                 or self.y + self._height(blocks) > PAGE_H - MARGIN):
            self._break()
        for block in blocks:
            self.add(block)
        self.in_column += 1

    def page_headers(self, template: str, align: str) -> None:
        """A header line on every page (``Practice exam — page 2``), in the top margin."""
        total = self.doc.page_count
        for number in range(total):
            self.page = self.doc[number]
            text = template.format(n=number + 1, total=total)
            width = _text_width(self.lang, text, False, HEADER_SIZE)
            x = MARGIN if align == "left" else (PAGE_W - width) / 2
            self.page.insert_text((x, MARGIN - 20), text, fontname=self._fontname(False), fontsize=HEADER_SIZE,
                                  color=(0.3, 0.3, 0.3))

    def tobytes(self) -> bytes:
        if self.page is None:
            self._new_page()
        self.doc.set_metadata({"title": "Exam layouts", "producer": "qbank make_exam_layouts",
                               "creationDate": "D:20240101000000Z", "modDate": "D:20240101000000Z"})
        self.doc.subset_fonts()   # embedded faces cut to the glyphs used (Droid/Nanum are MBs)
        return self.doc.tobytes(garbage=3, deflate=True, no_new_id=True)


#: two-column PDFs: column width, the gap between the columns, the header's size
GUTTER = 24.0
COLUMN_W = (PAGE_W - 2 * MARGIN - GUTTER) / 2
HEADER_SIZE = 9.0
MIN_COLUMN_PAGES = 3


def _room(plan: DocPlan) -> float:
    """The width a PDF line may take: the page's, or one column's."""
    return COLUMN_W if plan.page == "columns" else PAGE_W - 2 * MARGIN


def render_pdf(plan: DocPlan, blocks: list, units: list[tuple[str, int]] | None = None) -> bytes:
    if plan.page != "columns":
        writer = PdfWriter(plan.lang)
        for block in blocks:
            writer.add(block)
        return writer.tobytes()
    writer = PdfWriter(plan.lang, per_column=plan.v["per_column"])
    bounds = [start for _, start in units] + [len(blocks)]
    for (kind, start), stop in zip(units, bounds[1:]):
        writer.add_unit(kind, blocks[start:stop])
    if writer.doc.page_count < MIN_COLUMN_PAGES:
        raise RuntimeError(f"{plan.name}: {writer.doc.page_count} page(s), two-column layouts need "
                           f"{MIN_COLUMN_PAGES}")
    writer.page_headers(plan.v["page_header"], plan.v["header_align"])
    return writer.tobytes()


# ----------------------------------------------------------------------------- output
def render(plan: DocPlan) -> bytes:
    builder = Builder(plan)
    blocks = builder.build()
    if plan.fmt == "docx":
        return render_docx(plan, blocks, builder.numbering)
    return render_pdf(plan, blocks, builder.units)


def expected_text(plan: DocPlan) -> str:
    return "".join(json.dumps(item.expected(), ensure_ascii=False) + "\n" for item in plan.items)


def generate(out_dir: Path, count: int, seed: int) -> list[Path]:
    """Write ``count`` documents (+ ``.expected.jsonl`` each, + ``.layouts.json``) into
    ``out_dir``; return the document paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, layouts = [], {}
    for doc_plan in plan(count, seed):
        path = out_dir / f"{doc_plan.name}.{doc_plan.fmt}"
        path.write_bytes(render(doc_plan))
        (out_dir / f"{doc_plan.name}.expected.jsonl").write_text(expected_text(doc_plan), encoding="utf-8")
        layouts[doc_plan.name] = doc_plan.layout()
        paths.append(path)
    (out_dir / ".layouts.json").write_text(
        json.dumps({"seed": seed, "count": count, "documents": layouts}, ensure_ascii=False, indent=1,
                   sort_keys=True) + "\n", encoding="utf-8")
    return paths


# ----------------------------------------------------------------------------- checking
def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def similarity(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(None, norm(a), norm(b), autojunk=False).ratio()


def _short(text: str, limit: int = 90) -> str:
    text = norm(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def check_document(expected: list[dict], records: list[dict]) -> list[tuple[int | None, str]]:
    """What differs between a document's expected questions and its corpus records, as
    (expected number or None, message). A question is found by its number (the record
    with the closest stem among those of that number), else by a stem at least 80%
    similar; then its stem (90% similar), options (text, in order, whitespace-normalized)
    and answer (exactly) are compared. Records matched by no expected question are
    reported as extra."""
    problems: list[tuple[int | None, str]] = []
    used: set[int] = set()
    for e in expected:
        n = e["number"]
        candidates = [r for r in records if r.get("number") == n and id(r) not in used]
        pool = candidates or [r for r in records if id(r) not in used]
        best = max(pool, key=lambda r: similarity(r.get("stem"), e["stem"]), default=None)
        if best is None or (not candidates and similarity(best.get("stem"), e["stem"]) < 0.8):
            problems.append((n, f"q{n}: missing (no question numbered {n}, no stem like "
                                f"{_short(e['stem'], 50)!r})"))
            continue
        used.add(id(best))
        if similarity(best.get("stem"), e["stem"]) < 0.9:
            problems.append((n, f"q{n}: stem {_short(best.get('stem') or '')!r} != {_short(e['stem'])!r}"))
        got = [norm(o.get("text")) for o in best.get("options") or []]
        want = [norm(o) for o in e["options"]]
        if got != want:
            problems.append((n, f"q{n}: options {[_short(o, 40) for o in got]} != {[_short(o, 40) for o in want]}"))
        if sorted(best.get("answer") or []) != e["answer"]:
            problems.append((n, f"q{n}: answer {best.get('answer')} != {e['answer']}"))
    extra = [r for r in records if id(r) not in used]
    if extra:
        problems.append((None, f"{len(extra)} extra question(s): "
                               + "; ".join(f"#{r.get('number')} {_short(r.get('stem') or '', 50)!r}"
                                           for r in extra[:5])))
    return problems


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(docs_dir: Path, corpus_dir: Path) -> dict:
    """Per document and per layout dimension: questions with no problem / questions."""
    layouts = json.loads((docs_dir / ".layouts.json").read_text(encoding="utf-8"))["documents"]
    by_source: dict[str, list[dict]] = defaultdict(list)
    for record in _read_jsonl(corpus_dir / "questions.jsonl"):
        by_source[Path(record["source"]["path"]).name].append(record)
    documents, tallies = {}, defaultdict(lambda: [0, 0, 0, 0])   # q ok, q, doc ok, doc
    for name, layout in sorted(layouts.items()):
        expected = _read_jsonl(docs_dir / f"{name}.expected.jsonl")
        problems = check_document(expected, by_source.get(f"{name}.{layout['format']}", []))
        bad = {n for n, _ in problems if n is not None}
        ok = sum(e["number"] not in bad for e in expected)
        documents[name] = {"ok": ok, "questions": len(expected), "problems": [m for _, m in problems]}
        for dim in ("format", "page", "explist", "lang", "number", "option", "answer"):
            tally = tallies[(dim, layout.get(dim, {"page": "flow", "explist": False}.get(dim)))]
            tally[0] += ok
            tally[1] += len(expected)
            tally[2] += not problems
            tally[3] += 1
    return {"documents": documents, "dimensions": {f"{d}={v}": t for (d, v), t in sorted(tallies.items())}}


def _print_score(result: dict) -> None:
    docs = result["documents"]
    for name, doc in docs.items():
        status = "ok  " if not doc["problems"] else "FAIL"
        print(f"{status} {doc['ok']:2d}/{doc['questions']:2d}  {name}")
        for message in doc["problems"][:3]:
            print(f"        {message}")
    print("\nby dimension (questions ok/total, documents ok/total):")
    for key, (q_ok, q, d_ok, d) in result["dimensions"].items():
        print(f"  {key:28s} {q_ok:3d}/{q:3d}  {d_ok:2d}/{d:2d}")
    q_ok = sum(d["ok"] for d in docs.values())
    q = sum(d["questions"] for d in docs.values())
    d_ok = sum(not d["problems"] for d in docs.values())
    print(f"\ntotal: documents {d_ok}/{len(docs)} clean, questions {q_ok}/{q} right")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--count", type=int, default=40, help="documents to write (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--score", type=Path, metavar="CORPUS_DIR",
                        help="do not generate: score CORPUS_DIR/questions.jsonl against OUT_DIR")
    args = parser.parse_args(argv)
    if args.score:
        _print_score(score(args.out_dir, args.score))
        return 0
    paths = generate(args.out_dir, args.count, args.seed)
    questions = sum(len(_read_jsonl(p.with_name(p.stem + ".expected.jsonl"))) for p in paths)
    print(f"wrote {len(paths)} documents ({questions} questions) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
