"""Language tags: script decides CJK, langdetect decides Latin-script text."""
from __future__ import annotations

import pytest

from extract import lang as lang_module
from extract.lang import detect_lang


@pytest.mark.parametrize("text, lang", [
    ("회사에서는 애플리케이션에서 생성된 문서의 분류를 예측하려고 합니다. Amazon S3", "ko"),
    ("SageMaker でモデルをデプロイする方法", "ja"),            # kana beats the Latin service name
    ("Which AWS service stores training data as objects? Amazon EBS, Amazon EFS or Amazon S3",
     "en"),
    ("Die Daten werden täglich in einem Bucket gespeichert und das Modell wird neu trainiert.",
     "de"),
    ("Les données sont stockées chaque jour dans un compartiment et le modèle est réentraîné.",
     "fr"),
    ("A histogram", "en"),                                       # too short for statistics
    ("12 % 3.4 —", None),
])
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_detect_lang_is_deterministic():
    text = "Configure an S3 event notification that invokes an AWS Lambda function for every file."
    tags = set()
    for _ in range(10):
        lang_module._langdetect.cache_clear()  # langdetect itself must give the same answer
        tags.add(detect_lang(text))
    assert tags == {"en"}
