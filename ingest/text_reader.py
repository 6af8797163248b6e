"""Markdown and plain-text readers (articles, study notes, pasted exam dumps).

Both keep every line with its line number; sectioning is the extractor's job. Markdown
is recognised by YAML front matter or ATX headings; its front matter is parsed with
PyYAML into ``Document.metadata`` (title, author, date, tags) and its lines are kept
as written, so markdown-it can read the same text again in the extractor.

Hostile text (issue 12) is read with what can be read and an :class:`Issue` saying what
was worked around: undecodable bytes are replaced (:func:`decode_text`), front matter
that is too large or uses YAML anchors and aliases is dropped (``front_matter_invalid``:
an alias bomb nine levels deep took 1.8 GB and was still growing), and text past
``Limits.max_text_chars`` is cut (``text_capped``). The sniffers look at a bounded head
of the text and stop counting as soon as they know.
"""
from __future__ import annotations

import re
from itertools import islice

from ingest.document import Document, Issue, Line, Page
from ingest.limits import DEFAULT_LIMITS, Limits

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_LETTER = re.compile(r"[^\W\d_]")
#: Markdown needs at least this many ATX headings when it has no front matter.
MIN_MARKDOWN_HEADINGS = 2
#: Front matter is a few lines of metadata; more than this many characters is not
#: parsed (YAML's cost grows with its size, and the text after it is what matters).
MAX_FRONT_MATTER_CHARS = 64 * 1024
#: ... nor more than this many YAML nodes (scalars, lists, maps) in it.
MAX_FRONT_MATTER_NODES = 5_000
#: The sniffers read at most this much of the text: enough to tell the format.
SNIFF_CHARS = 1_000_000
#: Lone surrogates ``surrogateescape`` decodes undecodable bytes to, one per byte.
_ESCAPED = re.compile("[\udc80-\udcff]")


def decode_text(data: bytes) -> tuple[str, Issue | None]:
    """``data`` as UTF-8 text (a byte-order mark dropped), every byte that is not UTF-8
    replaced by U+FFFD, and an ``encoding_repaired`` :class:`Issue` saying how many
    were, or ``None`` when there were none.

    One stray Latin-1 byte used to drop a whole text input (194 of 1,014 fuzzed dumps);
    the text around it is as good as ever. The bytes are counted exactly, in one pass
    however many there are: decoded with ``surrogateescape`` each undecodable byte
    becomes one lone surrogate (valid UTF-8 never decodes to one), then one U+FFFD."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text, bad = _ESCAPED.subn("\ufffd", data.decode("utf-8-sig", errors="surrogateescape"))
    return text, Issue("text", "encoding_repaired",
                       f"{bad} undecodable byte{'s' if bad != 1 else ''} replaced", None)


def looks_like_markdown(text: str) -> bool:
    head = text[:SNIFF_CHARS]
    if FRONT_MATTER.match(head):
        return True
    return sum(1 for _ in islice(ATX_HEADING.finditer(head), MIN_MARKDOWN_HEADINGS)) >= MIN_MARKDOWN_HEADINGS


def looks_like_text(text: str) -> bool:
    """Any text with words in it (the last resort among text formats)."""
    return sum(1 for _ in islice(_LETTER.finditer(text[:SNIFF_CHARS]), 20)) >= 20


def _lines(text: str, first_line: int = 1) -> list[Line]:
    return [Line(line.rstrip(), number) for number, line in enumerate(text.split("\n"), start=first_line)]


def _capped(text: str, limits: Limits, issues: list[Issue]) -> str:
    """``text`` cut at ``limits.max_text_chars`` (at a line end), with a ``text_capped`` issue."""
    if len(text) <= limits.max_text_chars:
        return text
    cut = text.rfind("\n", 0, limits.max_text_chars) + 1 or limits.max_text_chars
    issues.append(Issue("text", "text_capped",
                        f"read the first {cut} of {len(text)} characters "
                        f"(limit {limits.max_text_chars}; raise --max-input-mb to read it all)", None))
    return text[:cut]


class _FrontMatterLoader:
    """Built on first use (PyYAML is imported lazily): a SafeLoader that refuses anchors
    and aliases, and more than :data:`MAX_FRONT_MATTER_NODES` nodes.

    Front matter (title, author, date, tags) never needs an anchor; an alias bomb
    (``a: &a [x,x,...]``, ``b: &b [*a,*a,...]`` nine levels deep) is a few hundred bytes
    that expand to 10^9 nodes the moment anything walks the result."""

    cls = None

    @classmethod
    def get(cls):
        if cls.cls is None:
            import yaml
            from yaml.events import AliasEvent

            class Loader(yaml.SafeLoader):
                def __init__(self, stream):
                    super().__init__(stream)
                    self.nodes = 0

                def compose_node(self, parent, index):
                    event = self.peek_event()
                    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                        raise yaml.YAMLError("anchors and aliases are not allowed in front matter")
                    self.nodes += 1
                    if self.nodes > MAX_FRONT_MATTER_NODES:
                        raise yaml.YAMLError(f"more than {MAX_FRONT_MATTER_NODES} nodes")
                    return super().compose_node(parent, index)

            cls.cls = Loader
        return cls.cls


def load_front_matter(source: str) -> tuple[dict, str | None]:
    """The front matter's mapping, and why it was refused (``None`` when it was not).
    Anything but a mapping reads as no metadata, as before."""
    import yaml

    if len(source) > MAX_FRONT_MATTER_CHARS:
        return {}, f"{len(source)} characters, more than {MAX_FRONT_MATTER_CHARS}"
    try:
        loaded = yaml.load(source, Loader=_FrontMatterLoader.get())  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        return {}, _one_line(str(exc))
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # a date like 2024-02-30 (ValueError from the timestamp constructor), [[[[...]]]]
        # nested thousands deep (RecursionError): bad metadata, not a bad document
        return {}, f"{type(exc).__name__}: {_one_line(str(exc))}"
    return (loaded if isinstance(loaded, dict) else {}), None


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_markdown(text: str, path: str, sha256: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    issues: list[Issue] = []
    text = _capped(text, limits, issues)
    metadata: dict = {}
    body_start = 1
    match = FRONT_MATTER.match(text)
    if match:
        metadata, refused = load_front_matter(match.group(1))
        if refused:
            issues.append(Issue("markdown", "front_matter_invalid",
                                f"front matter not read ({refused}); text kept, metadata dropped", None))
        body_start = match.group(0).count("\n") + 1
        text = text[match.end():]
    title = metadata.get("title")
    return Document(path, sha256, "markdown", [Page(1, _lines(text, body_start))],
                    title=str(title) if title else None, metadata=metadata, issues=issues)


def parse_plain_text(text: str, path: str, sha256: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    issues: list[Issue] = []
    text = _capped(text, limits, issues)
    return Document(path, sha256, "text", [Page(1, _lines(text))], issues=issues)
