"""Anki deck package (.apkg) through genanki (Anki: File → Import).

One note per question, of one note type ("qbank question", fixed model id) with the
fields Question (stem and lettered options; a matching question lists its targets too),
Answer (the correct options; for matching ``A. option → target``), Explanation (the
explanation and the rationales), Translation (stem, options and explanation in the other
language of a bilingual question, its own field so the card front stays in one
language), Source (file, pages, module) and Id (the question id).

- Decks: one per source and module, ``qbank::<source stem>::<module>``; a deck's id is
  derived from its name by hashing, so it is the same in every export.
- Notes: the GUID is ``genanki.guid_for(question id)``: importing a newer export of the
  same corpus updates the notes instead of adding copies (question ids survive rebuilds,
  CORPUS.md). Notes carry the current time, so Anki sees a re-export as newer.
- Tags: ``qbank``, the question's flags, ``source::<stem>``.
- Pictures with a file in ``DIR/media`` go into the package as media files and show in
  the Question field; others are skipped and counted.
"""
from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

from store.corpus import Corpus
from store.exports import common as c
from store.exports.media import NOT_AVAILABLE, pictures

#: the note type's id: fixed, so every export's notes are of the same type in Anki
MODEL_ID = 1607392319
MODEL_NAME = "qbank question"
FIELDS = ["Question", "Answer", "Explanation", "Translation", "Source", "Id"]

_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
.option { margin: .3em 0; } .translation { color: #555; } .source { font-size: 12px; color: #888; }"""
_BACK = ("{{FrontSide}}<hr id=answer>{{Answer}}"
         "{{#Explanation}}<hr>{{Explanation}}{{/Explanation}}"
         "{{#Translation}}<hr><div class=translation>{{Translation}}</div>{{/Translation}}"
         "<div class=source>{{Source}} {{Id}}</div>")


def deck_name(q: dict[str, Any]) -> str:
    """``qbank::<source stem>::<module>`` (``::`` inside a name would nest: made ``:``)."""
    return "::".join(["qbank"] + [part.replace("::", ":") for part in c.category_parts(q)])


def deck_id(name: str) -> int:
    """A stable deck id from the deck name, in the range genanki advises (2^30..2^31)."""
    return (1 << 30) + int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % (1 << 30)


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip()) or "_"


def _option_lines(opts: list[dict[str, str]]) -> str:
    return "".join(f'<div class="option"><b>{html.escape(o["label"])}.</b> {c.as_html(o["text"])}</div>'
                   for o in opts)


def fields(q: dict[str, Any], images: str) -> list[str]:
    """The note's field values (HTML)."""
    opts = c.options(q)
    question = f"<div>{c.as_html(q.get('stem'))}</div>{images}{_option_lines(opts)}"
    if c.is_matching(q):
        pairs, extra = c.matching_pairs(q)
        targets = list(dict.fromkeys([t for _, _, t in pairs] + extra))
        question += "<hr>" + "".join(f'<div class="option">{c.as_html(t)}</div>' for t in targets)
        answer = "".join(f'<div class="option"><b>{html.escape(label)}.</b> {c.as_html(text)} → '
                         f"{c.as_html(target)}</div>" for label, text, target in pairs)
    else:
        answer = _option_lines([o for o in opts if o["label"] in set(c.correct_labels(q))])
    explanation = c.as_html(q.get("explanation"))
    why = c.rationales(q)
    if why:
        explanation += "".join(f'<div class="option"><b>{html.escape(label)}.</b> {c.as_html(text)}</div>'
                               for label, text in why.items())
    translation = ""
    for lang, t in c.translations(q).items():
        t_opts = [{"label": o["label"], "text": c.clean(o.get("text"))} for o in t.get("options") or []
                  if isinstance(o, dict) and isinstance(o.get("label"), str)]
        translation += (f'<div lang="{html.escape(lang)}">{c.as_html(t.get("stem"))}{_option_lines(t_opts)}'
                        + (f"<div>{c.as_html(t.get('explanation'))}</div>" if c.clean(t.get("explanation")) else "")
                        + "</div>")
    source = q.get("source") if isinstance(q.get("source"), dict) else {}
    pages = ", ".join(str(p) for p in source.get("pages") or [])
    where = " · ".join(part for part in [c.clean(source.get("path")), f"p. {pages}" if pages else "",
                                         c.module_name(q) or ""] if part)
    return [question, answer, explanation, translation, c.as_html(where), html.escape(q["id"])]


def write_anki(corpus: Corpus, out: Path, report: c.Report) -> list[Path]:
    import genanki

    model = genanki.Model(MODEL_ID, MODEL_NAME, fields=[{"name": name} for name in FIELDS],
                          templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": _BACK}], css=_CSS)
    decks: dict[str, Any] = {}
    media: dict[str, str] = {}
    for q in corpus.questions:
        found, missing = pictures(corpus.path, q)
        report.note(NOT_AVAILABLE, missing)
        images = "".join(f'<div><img src="{html.escape(p.name)}" alt="{html.escape(c.one_line(p.text))}"></div>'
                         for p in found)
        media.update({p.name: str(p.path) for p in found})
        name = deck_name(q)
        if name not in decks:
            decks[name] = genanki.Deck(deck_id(name), name)
        tags = ["qbank", f"source::{_tag(c.source_stem(q))}"] + [_tag(f) for f in q.get("flags") or []
                                                                    if isinstance(f, str)]
        decks[name].add_note(genanki.Note(model=model, fields=fields(q, images), guid=genanki.guid_for(q["id"]),
                                          tags=list(dict.fromkeys(tags))))
    if not decks:  # an empty package still imports (as nothing)
        decks["qbank"] = genanki.Deck(deck_id("qbank"), "qbank")
    package = genanki.Package(list(decks.values()), media_files=sorted(media.values()))
    return c.write_file(out, lambda path: package.write_to_file(path))
