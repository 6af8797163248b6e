"""``qbank report``: the review page, as a file (parses, self-contained, escaped) and in a
headless browser (Debian's chromium driven by playwright: filters, search, pictures,
phone width), on the samples and, where ../shared has it, the real guide.

Screenshots of the page are written under pytest's tmp path and, when the environment
variable ``QBANK_TEST_ARTIFACTS`` names a folder, copied there.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import REPO, read_jsonl
from qbank.report import NO_FLAG, flag_descriptions, render_report
from store.media import media_paths

ARTIFACTS = os.environ.get("QBANK_TEST_ARTIFACTS")
#: how Chromium is started (no network, no profile of anyone's, no GPU)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def parse(html: str):
    """The page parsed by html5lib in strict mode (any parse error fails), as an lxml tree."""
    import html5lib

    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True,
                                 namespaceHTMLElements=False)
    return parser.parse(html)


def text_of(element) -> str:
    """An element's text as the DOM's textContent gives it."""
    return "".join(element.itertext())


def fold(text: str) -> str:
    """What the page's search compares: NFKC, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def articles(tree) -> dict[str, object]:
    return {a.get("id"): a for a in tree.iter("article") if "question" in (a.get("class") or "")}


def save_artifact(path: Path) -> None:
    if ARTIFACTS:
        target = Path(ARTIFACTS)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)


# -- the page as a file --------------------------------------------------------------------

@pytest.fixture(scope="module")
def samples_report(samples_corpus, tmp_path_factory) -> tuple[Path, Path]:
    """(flagged-only page, every-question page) of the samples corpus."""
    folder = tmp_path_factory.mktemp("report")
    pages = []
    for name, everything in (("samples-flagged.html", False), ("samples-all.html", True)):
        html, _ = render_report(samples_corpus, all_questions=everything)
        (folder / name).write_text(html, encoding="utf-8")
        pages.append(folder / name)
    return pages[0], pages[1]


def test_flagged_questions_are_listed_with_their_flags_explained(samples_corpus, samples_report):
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    flagged = {q["id"]: q for q in questions if q["flags"]}
    assert flagged
    tree = parse(samples_report[0].read_text(encoding="utf-8"))
    listed = articles(tree)
    assert list(listed) == [q["id"] for q in questions if q["flags"]]  # corpus order
    descriptions = flag_descriptions()
    for qid, article in listed.items():
        text = text_of(article)
        for flag in flagged[qid]["flags"]:
            assert flag in text and descriptions[flag] in text
        assert flagged[qid]["source"]["path"] in text
        for other in flagged[qid].get("also_in", []):
            assert other["path"] in text
    assert tree.find(".//*[@id='shown']").text == str(len(flagged))
    everything = articles(parse(samples_report[1].read_text(encoding="utf-8")))
    assert list(everything) == [q["id"] for q in questions]


def test_summary_comes_from_the_manifest(samples_corpus, samples_report):
    manifest = json.loads((samples_corpus / "manifest.json").read_text())
    tree = parse(samples_report[0].read_text(encoding="utf-8"))
    summary = text_of(tree.find(".//section[@id='summary']"))
    for source in manifest["sources"]:
        assert source["path"] in summary
    flags = text_of(tree.find(".//section[@id='flags']"))
    for flag in manifest["totals"]["flags"]:
        assert flag in flags


def test_page_is_self_contained(samples_corpus, samples_report):
    html = samples_report[0].read_text(encoding="utf-8")
    tree = parse(html)
    assert not tree.findall(".//link")  # no stylesheet or anything else fetched
    scripts = tree.findall(".//script")
    assert len(scripts) == 2 and all(s.get("src") is None for s in scripts)
    code = scripts[1].text
    assert "http" not in code and "//" not in code and "import" not in code
    for style in tree.findall(".//style"):
        assert "http" not in style.text and "//" not in style.text and "@import" not in style.text
        assert "url(" not in style.text
    for element in tree.iter():
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = element.get(name)
            assert value is None or value.startswith(("#", "data:")), (element.tag, name, value)
    # the pictures of the listed questions are in the page, each once, as data URIs
    for page, everything in ((tree, False), (parse(samples_report[1].read_text(encoding="utf-8")), True)):
        media = json.loads(page.findall(".//script")[0].text)
        listed = [q for q in read_jsonl(samples_corpus / "questions.jsonl") if everything or q["flags"]]
        files = sorted((samples_corpus / path).read_bytes() for path in media_paths(listed))
        assert files and sorted(base64.b64decode(uri.split(",", 1)[1]) for uri in media.values()) == files
        assert all(uri.startswith("data:image/png;base64,") for uri in media.values())


def hostile_corpus(folder: Path) -> dict:
    """A corpus whose every text tries to break out of the page."""
    from PIL import Image

    folder.mkdir(parents=True)
    picture = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(picture, "PNG")
    data = picture.getvalue()
    name = f"media/{hashlib.sha256(data).hexdigest()}.png"
    (folder / "media").mkdir()
    (folder / name).write_bytes(data)
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&amp;"
    source = {"path": "a/<b>.docx", "sha256": "0" * 64, "format": "docx", "pages": [1]}
    question = {"id": "q-<evil>\"'", "source": source, "module": None, "module_title": None,
                "topic": None, "number": 1, "lang": "en", "kind": "single", "stem": evil,
                "options": [{"label": "A", "text": evil}, {"label": "B", "text": "</textarea></style>"}],
                "answer": ["A"], "explanation": evil,
                "answer_signals": {"given": ["A"], "<script>": [evil]},
                "translations": {}, "images": [
                    {"ref": evil, "text": evil, "ocr_confidence": 50.0, "note": None, "media": name},
                    {"ref": "other", "text": "ocr only", "ocr_confidence": None, "note": None,
                     "media": "media/../../../etc/passwd"},
                    {"ref": "again", "text": "", "ocr_confidence": None, "note": None, "media": name}],
                "also_in": [{"path": evil, "sha256": "1" * 64, "pages": [2], "number": 3}],
                "flags": ["answer_missing", "not_a_known_flag"]}
    plain = dict(question, id="q-plain", stem="plain question", flags=[], images=[], also_in=[],
                 answer_signals={})
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in (question, plain)))
    (folder / "knowledge.jsonl").write_text("")
    manifest = {"tool": "qbank", "version": evil, "contract": "v1", "inputs": [evil],
                "sources": [{"path": evil, "format": "docx", "pages": 1, "status": "error", "error": evil},
                            {"path": "a/<b>.docx", "status": "ok", "warnings": [evil],
                             "issues": [{"component": "x", "flag": evil, "message": evil, "page": 1}],
                             "counts": {"questions": 2, "knowledge": 0}, "flags": {evil: 1}}],
                "errors": [evil], "totals": {"sources": 2, "failed": 1, "flags": {"answer_missing": 1}}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return {"evil": evil, "media": data, "question": question}


def test_every_text_is_escaped(tmp_path):
    corpus = hostile_corpus(tmp_path / "corpus")
    html, count = render_report(tmp_path / "corpus", all_questions=True)
    assert count == 2
    assert "<script>alert" not in html and "<img src=x" not in html and "</textarea></style>" not in html
    assert "&lt;script&gt;alert" in html
    tree = parse(html)
    assert len(tree.findall(".//script")) == 2
    assert not [e for e in tree.iter() if any(k.startswith("on") for k in e.attrib)]
    assert [img.get("src") for img in tree.iter("img")] == [None, None]  # set by the script
    listed = articles(tree)
    assert list(listed) == [corpus["question"]["id"], "q-plain"]
    stem = listed[corpus["question"]["id"]].find(".//div[@class='stem text']")
    assert stem.text == corpus["evil"]  # shown as written
    assert "no description" in text_of(listed[corpus["question"]["id"]])  # unknown flag named
    # the real picture inlined once for its two uses, the path outside media/ not followed
    media = json.loads(tree.findall(".//script")[0].text)
    assert list(media.values()) == ["data:image/png;base64," + base64.b64encode(corpus["media"]).decode()]
    assert "not a media file name" in html and "ocr only" in html


def test_cli_writes_the_page_and_fails_in_one_line(samples_corpus, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = tmp_path / "page.html"
    result = subprocess.run([sys.executable, "-m", "qbank.cli", "report", str(samples_corpus), "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    flagged = sum(1 for q in read_jsonl(samples_corpus / "questions.jsonl") if q["flags"])
    assert f"({flagged} questions)" in result.stderr
    result = subprocess.run([sys.executable, "-m", "qbank.cli", "report", str(tmp_path / "nothing"),
                             "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_every_flag_the_code_raises_is_explained():
    from store.dedup import FLAG

    raised = {FLAG}
    patterns = [r'flags?\.(?:add|append)\("([a-z0-9_]+)"\)',  # flags.add("x")
                r'flags = \["([a-z0-9_]+)"\]', r'= \[\] if \w+ else \["([a-z0-9_]+)"\]',
                r'(?:\||,) \{"([a-z0-9_]+)"\}']  # set(flags) | {"x"}; return answer, {"x"}
    for folder in ("extract", "store", "qbank"):
        for path in (REPO / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in patterns:
                raised |= set(re.findall(pattern, text))
    assert {"answer_missing", "ocr_low_confidence", "answer_from_community", "answer_page_missing",
            "options_interleaved", "answer_differs_across_sources"} <= raised
    assert raised <= set(flag_descriptions()), raised - set(flag_descriptions())


def test_flags_of_the_real_guide_are_explained(guide_corpus):
    flags = {f for q in read_jsonl(guide_corpus / "questions.jsonl") for f in q["flags"]}
    assert flags <= set(flag_descriptions())


# -- the page in a browser -----------------------------------------------------------------

def chromium_executable() -> str | None:
    for candidate in (os.environ.get("QBANK_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    executable = chromium_executable()
    if executable is None:
        pytest.skip("Chromium not found: scripts/install-system-deps.sh installs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Python playwright missing: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Page:
    """One page of the report in the browser, and what the page's script got wrong."""

    def __init__(self, browser, path: Path, width: int = 1200, height: int = 900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        # the page must not reach for anything outside the file itself
        self.requests: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(path.as_uri())

    def _route(self, route):
        url = route.request.url
        if not url.startswith(("file:", "data:")):
            self.requests.append(url)
            return route.abort()
        return route.continue_()

    def shown(self) -> int:
        return int(self.page.inner_text("#shown"))

    def visible_ids(self) -> list[str]:
        return self.page.eval_on_selector_all("article.question", "els => els.filter(e => !e.hidden).map(e => e.id)")

    def close(self) -> None:
        self.context.close()


def expected_ids(tree, flag: str = "", term: str = "") -> list[str]:
    """What the page's filters should leave visible, worked out from the parsed file."""
    ids = []
    for qid, article in articles(tree).items():
        flags = json.loads(article.get("data-flags"))
        if flag and (flags if flag == NO_FLAG else flag not in flags):
            continue
        if term and not all(t in fold(text_of(article)) for t in fold(term).split()):
            continue
        ids.append(qid)
    return ids


def a_search_term(questions: list[dict], among: list[str]) -> str:
    """A word of one listed question's stem that not every listed question has."""
    listed = [q for q in questions if q["id"] in among]
    for q in listed:
        for word in re.findall(r"[A-Za-z][A-Za-z0-9-]{5,}|[가-힣]{3,}", q["stem"]):
            holders = [p for p in listed if fold(word) in fold(json.dumps(p, ensure_ascii=False))]
            if 0 < len(holders) < len(listed):
                return word
    pytest.fail("no distinctive word in the listed questions")


def drive(browser, html: Path, questions: list[dict], shots: Path, name: str) -> None:
    """Load the page, check the list, drive the flag filter and the search box, check
    the count each time, and take screenshots (desktop and phone width)."""
    tree = parse(html.read_text(encoding="utf-8"))
    listed = list(articles(tree))
    view = Page(browser, html)
    try:
        page = view.page
        assert view.shown() == len(listed) and view.visible_ids() == listed
        assert int(page.inner_text("#total")) == len(listed)
        # the flag filter: the most common flag, then "no flag" where the page has it
        flags = page.eval_on_selector_all("#flag-filter option", "os => os.map(o => o.value).filter(Boolean)")
        assert flags, "no flag to filter by"
        counts = {flag: len(expected_ids(tree, flag)) for flag in flags}
        flag = max(counts, key=lambda f: (counts[f] < len(listed), counts[f]))
        page.select_option("#flag-filter", flag)
        assert view.visible_ids() == expected_ids(tree, flag) and view.shown() == counts[flag]
        assert 0 < view.shown() <= len(listed)
        # the search box, on top of the flag filter, then alone
        term = a_search_term(questions, listed)
        page.fill("#search", term)
        assert view.visible_ids() == [i for i in expected_ids(tree, flag, term)]
        page.select_option("#flag-filter", "")
        both = expected_ids(tree, "", term)
        assert view.visible_ids() == both and view.shown() == len(both) and 0 < len(both) < len(listed)
        page.fill("#search", "zzqx-no-such-words")
        assert view.shown() == 0 and page.is_visible("#nothing")
        page.click("#reset")
        assert view.shown() == len(listed)
        # a flag chip on a question sets the filter
        page.click("article.question button.flag >> nth=0")
        chosen = page.input_value("#flag-filter")
        assert chosen and view.shown() == len(expected_ids(tree, chosen))
        # the source filter: the first question's file
        page.click("#reset")
        first = page.eval_on_selector("article.question", "e => JSON.parse(e.dataset.sources)[0]")
        page.select_option("#source-filter", first)
        assert 0 < view.shown() <= len(listed)
        assert all(first in json.loads(articles(tree)[i].get("data-sources")) for i in view.visible_ids())
        page.click("#reset")
        # every picture the page inlines is shown
        sizes = page.eval_on_selector_all("img[data-media]", "imgs => imgs.map(i => i.complete ? i.naturalWidth : -1)")
        assert all(size > 0 for size in sizes), sizes
        page.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)
        assert not view.errors and not view.requests, (view.errors, view.requests)
    finally:
        view.close()
    phone = Page(browser, html, width=390, height=844)  # a phone, portrait
    try:
        page = phone.page
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert page.evaluate("getComputedStyle(document.querySelector('article.question')).width")
        page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=False)
        assert not phone.errors and not phone.requests
    finally:
        phone.close()
    for shot in sorted(shots.glob(f"{name}-*.png")):
        assert shot.read_bytes().startswith(b"\x89PNG")
        save_artifact(shot)


def test_samples_report_in_a_browser(browser, samples_corpus, samples_report, tmp_path):
    questions = read_jsonl(samples_corpus / "questions.jsonl")
    drive(browser, samples_report[1], questions, tmp_path, "samples-all")
    drive(browser, samples_report[0], questions, tmp_path, "samples-flagged")
    # "no flag" is a choice when every question is listed
    view = Page(browser, samples_report[1])
    try:
        view.page.select_option("#flag-filter", NO_FLAG)
        assert view.shown() == sum(1 for q in questions if not q["flags"])
    finally:
        view.close()


def test_guide_report_in_a_browser(browser, guide_corpus, tmp_path):
    html, count = render_report(guide_corpus)
    questions = read_jsonl(guide_corpus / "questions.jsonl")
    assert count == sum(1 for q in questions if q["flags"]) > 0
    page = tmp_path / "guide.html"
    page.write_text(html, encoding="utf-8")
    drive(browser, page, questions, tmp_path, "guide-flagged")


def test_hostile_text_runs_nothing_in_a_browser(browser, tmp_path):
    corpus = hostile_corpus(tmp_path / "corpus")
    html, _ = render_report(tmp_path / "corpus", all_questions=True)
    page_file = tmp_path / "hostile.html"
    page_file.write_text(html, encoding="utf-8")
    view = Page(browser, page_file)
    dialogs: list[str] = []
    try:
        page = view.page
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.reload()
        assert view.shown() == 2
        assert page.inner_text(".stem") == corpus["evil"]
        page.fill("#search", "<script>")
        assert view.shown() == 2  # both show the text in their options
        page.fill("#search", "plain question")
        assert view.shown() == 1
        assert page.evaluate("document.querySelectorAll('img').length") == 2  # only the page's own
        assert page.eval_on_selector_all("img[data-media]", "imgs => imgs.map(i => i.naturalWidth)") == [30, 30]
        assert not dialogs and not view.errors and not view.requests, (dialogs, view.errors, view.requests)
    finally:
        view.close()
