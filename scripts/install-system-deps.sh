#!/usr/bin/env bash
# System packages qbank uses beyond PyPI, installed from Debian:
#   tesseract-ocr + kor/eng  OCR of scanned PDF pages and images embedded in DOCX
#   libreoffice-writer-nogui the test that re-saves a sample DOCX the way real Word files look
#   fonts-nanum              Hangul font the sample generators render pictures and PDFs with
#                            (and the browser test's screenshots of the review page)
#   chromium                 headless browser the review page's test drives (tests/test_report.py,
#                            through Python playwright with executable_path: no browser download)
# Idempotent: does nothing when every command is already present.
set -euo pipefail
PACKAGES=(tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng libreoffice-writer-nogui fonts-nanum chromium)
have_all() {
    command -v tesseract >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 &&
        tesseract --list-langs 2>/dev/null | grep -qx kor &&
        [ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] &&
        command -v chromium >/dev/null 2>&1
}
if have_all; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
