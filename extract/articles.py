"""Articles and notes (Markdown or plain text) → knowledge units, one per section.

Markdown is read by markdown-it (CommonMark + tables): headings open sections; paragraphs,
list items (``- `` with their nesting), table rows (cells joined by `` | ``) and code
become the section's text. Plain text has no markup, so headings are recognised by shape
(rules as data in ``data/articles.json``): a marker (``◼︎ 試験要項``), a numbered heading
after a blank line (``1. Building the Data Foundation``), or a short line that does not
end like a sentence, is no list item or table row, and is followed by body text.
Consecutive heading-like lines keep the last as the title (byline and date lines before
a title are body of the section before). Pieces of a sentence that a web copy broke into
lines around inline code (``マテリアライズド・ビューは`` / ``REFRESH`` / ``コマンドで…``) are
told by their Japanese shape (a particle at either end, a topic は or a comma inside) and
stay body. Sections without body text are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extract.knowledge import KnowledgeUnit
from extract.lang import detect_lang
from extract.rules import load_rules
from ingest.document import Document, Line

RULES = "articles"
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]")


@dataclass
class Section:
    title: str | None
    lines: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = load_rules(RULES)
    compiled = {k: re.compile(v) for k, v in rules.items() if isinstance(v, str) and not k.startswith("_")}
    compiled["max_heading_chars"] = rules["max_heading_chars"]
    return compiled


def extract_sections(document: Document, lines: list[Line] | None = None) -> list[KnowledgeUnit]:
    """Knowledge units of a Markdown or text document (``lines``: a part of it)."""
    lines = lines if lines is not None else [line for page in document.pages for line in page.lines]
    if document.format == "markdown":
        sections = markdown_sections("\n".join(line.text for line in lines), document.title)
    else:
        sections = text_sections([line.text for line in lines], document.title)
    units = []
    for section in sections:
        text = "\n".join(line for line in section.lines if line.strip()).strip()
        if not text:
            continue
        number = len(units) + 1
        units.append(KnowledgeUnit(None, None, None, None, "section", section.title, text,
                                   detect_lang(f"{section.title or ''} {text}"), section=number))
    return units


def markdown_sections(text: str, title: str | None) -> list[Section]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    sections = [Section(title)]
    depth = 0           # list nesting
    row: list[str] = []
    in_heading = in_cell = False
    for token in tokens:
        kind = token.type
        if kind in ("heading_open", "heading_close"):
            in_heading = kind == "heading_open"
        elif kind in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = kind.endswith("_open")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            sections[-1].lines.append(" | ".join(row))
        elif kind in ("fence", "code_block"):
            sections[-1].lines.append(token.content.rstrip())
        elif kind == "inline":
            content = _plain(token)
            if in_heading:
                sections.append(Section(content or None))
            elif in_cell:
                row.append(content)
            elif content:
                prefix = "  " * (depth - 1) + "- " if depth else ""
                sections[-1].lines.append(prefix + content)
    return sections


def _plain(token) -> str:
    """An inline token's text without Markdown markup (links keep their text) and
    without container fences (``:::info`` … ``:::``), which CommonMark reads as text."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    lines = "".join(parts).split("\n")
    return "\n".join(line for line in lines if not _rules()["container_line"].match(line)).strip()


def text_sections(lines: list[str], title: str | None) -> list[Section]:
    rules = _rules()
    kinds = [_line_kind(lines, i, rules) for i in range(len(lines))]
    following: list[str | None] = [None] * len(lines)  # kind of the next non-blank line
    for i in range(len(lines) - 2, -1, -1):
        following[i] = kinds[i + 1] if kinds[i + 1] != "blank" else following[i + 1]
    sections = [Section(title)]
    for i, line in enumerate(lines):
        if kinds[i] == "heading" or (kinds[i] == "candidate" and following[i] == "body"):
            sections.append(Section(rules["heading_marker"].sub("", line.strip()).strip() or None))
        elif kinds[i] != "blank":
            sections[-1].lines.append(line.strip() if not rules["indented"].match(line) else line.rstrip())
    return sections


def _line_kind(lines: list[str], index: int, rules: dict) -> str:
    """``blank``, ``heading`` (marked), ``candidate`` (heading-shaped) or ``body``."""
    line = lines[index]
    text = line.strip()
    if not text:
        return "blank"
    if rules["heading_marker"].match(text):
        return "heading"
    after_blank = index == 0 or not lines[index - 1].strip()
    if rules["numbered_heading"].match(line) and after_blank and not rules["sentence_end"].search(text):
        return "candidate"
    limit = rules["max_heading_chars"]["cjk" if _CJK.search(text) else "latin"]
    if (len(text) > limit or rules["sentence_end"].search(text) or rules["list_item"].match(line)
            or rules["indented"].match(line) or rules["table_row"].search(text) or rules["url"].search(text)):
        return "body"
    if _sentence_part(text, rules):
        return "body"
    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
    if rules["continuation_start"].match(following):
        return "body"  # the sentence goes on in the next line (broken at inline code)
    return "candidate"


def _sentence_part(text: str, rules: dict) -> bool:
    """A piece of a sentence the copy broke into lines (see ``_sentence_parts`` in the rules)."""
    return bool(rules["sentence_inside"].search(text) or rules["fragment_end"].search(text)
                or rules["topic_inside"].search(text) or rules["continuation_start"].match(text))
