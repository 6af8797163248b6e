"""Markdown and plain-text readers (articles, study notes, pasted exam dumps).

Both keep every line with its line number; sectioning is the extractor's job. Markdown
is recognised by YAML front matter or ATX headings; its front matter is parsed with
PyYAML into ``Document.metadata`` (title, author, date, tags) and its lines are kept
as written, so markdown-it can read the same text again in the extractor.
"""
from __future__ import annotations

import re

from ingest.document import Document, Line, Page

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_LETTER = re.compile(r"[^\W\d_]")
#: Markdown needs at least this many ATX headings when it has no front matter.
MIN_MARKDOWN_HEADINGS = 2


def looks_like_markdown(text: str) -> bool:
    return bool(FRONT_MATTER.match(text)) or len(ATX_HEADING.findall(text)) >= MIN_MARKDOWN_HEADINGS


def looks_like_text(text: str) -> bool:
    """Any text with words in it (the last resort among text formats)."""
    return len(_LETTER.findall(text)) >= 20


def _lines(text: str, first_line: int = 1) -> list[Line]:
    return [Line(line.rstrip(), number) for number, line in enumerate(text.split("\n"), start=first_line)]


def parse_markdown(text: str, path: str, sha256: str) -> Document:
    import yaml

    metadata: dict = {}
    body_start = 1
    match = FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
            metadata = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            metadata = {}
        body_start = match.group(0).count("\n") + 1
        text = text[match.end():]
    title = metadata.get("title")
    return Document(path, sha256, "markdown", [Page(1, _lines(text, body_start))],
                    title=str(title) if title else None, metadata=metadata)


def parse_plain_text(text: str, path: str, sha256: str) -> Document:
    return Document(path, sha256, "text", [Page(1, _lines(text))])
