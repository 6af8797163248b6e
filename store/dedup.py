"""Cross-source identity: a question met in several sources is one record.

The same question reaches a corpus as a Word dump, its PDF print, a scan of the print
(Tesseract's reading: ``Amazon $30]`` for ``Amazon S3``), another dump with other
numbering, or a bilingual copy. Two occurrences are the same question when one of their
*views* (the main stem and options, or a translation's) matches one of the other's:

* stems (normalised: NFKC, case-folded, picture references and punctuation out) within
  :data:`STEM_MIN` of each other (rapidfuzz ratio, 0-100);
* as many options, paired one to one, best pairs first, each pair within
  :data:`OPTION_PAIR_MIN` and on average within :data:`OPTION_MIN`: the order of the
  options does not matter, their text does, so the same stem with other options (a
  near-duplicate that asks something else) stays apart.

Blocking keeps it near-linear: an occurrence is compared only with those sharing one of
its :data:`BLOCK_TOKENS` rarest stem words that some other occurrence has too, or of the
rarest of its first
:data:`LEAD_WORDS` words (rare over the whole build; OCR garbles one of them at worst),
and blocks larger than :data:`MAX_BLOCK` are not used.

Occurrences of one source are never merged with each other (a dump that repeats a question
keeps both numbers). Of a cluster, the *primary* is the most complete occurrence by a
stated rule (:func:`primary_key`: an answer, an explanation, translations, fewest flags,
then path and number), so input order never changes the output; the others are listed in
``also_in``. Answers are compared through the options' text (the labels of a reordered
copy differ): an occurrence whose answer differs is kept in ``answer_signals`` under
``source:<path>`` (in the primary's labels) and the record is flagged
``answer_differs_across_sources``.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from rapidfuzz import fuzz

#: stems at least this similar (rapidfuzz ratio, 0-100) may be the same question
STEM_MIN = 88.0
#: paired options must be this similar on average ...
OPTION_MIN = 85.0
#: ... and each pair at least this similar
OPTION_PAIR_MIN = 60.0
#: a copy read by OCR (scanned pages, OCR text dumps): its stem within this of the
#: other's, the shorter one inside the longer (rapidfuzz partial ratio) ...
OCR_STEM_MIN = 92.0
#: ... (inside only when at least this long: a short stem is inside too many others) ...
OCR_MIN_STEM_CHARS = 20
#: ... and its options, joined, this similar to the other's (or all but one paired)
OCR_OPTIONS_MIN = 88.0
#: an occurrence is compared with those sharing one of its this many rarest stem words
BLOCK_TOKENS = 3
#: ... and two more of its first this many words
LEAD_WORDS = 8
#: words shorter than this are no block key (articles, particles, numbers)
MIN_KEY_CHARS = 3
#: a block larger than this (a word common to very many questions) is not compared within
MAX_BLOCK = 400
FLAG = "answer_differs_across_sources"

_PICTURE = re.compile(r"\[image:[^\]]*\]")
_NOT_WORD = re.compile(r"[^\w]+")


def normalize(text: str | None) -> str:
    """Text as compared: NFKC, case-folded, picture references dropped, words joined by
    single spaces (punctuation, quotes and typography gone)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", _PICTURE.sub(" ", text)).split())


@dataclass(frozen=True)
class View:
    """One language's version of a question, normalised."""

    stem: str
    options: tuple[str, ...]   # in label order
    labels: tuple[str, ...]


def views(record: dict[str, Any]) -> list[View]:
    """The main view, then one per translation (sorted by language)."""
    out = [View(normalize(record.get("stem")),
                tuple(normalize(o["text"]) for o in record.get("options") or []),
                tuple(o["label"] for o in record.get("options") or []))]
    for _lang, t in sorted((record.get("translations") or {}).items()):
        out.append(View(normalize(t.get("stem")),
                        tuple(normalize(o["text"]) for o in t.get("options") or []),
                        tuple(o["label"] for o in t.get("options") or [])))
    return [v for v in out if v.stem or v.options]


def pair_options(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[int, int, float]] | None:
    """A one-to-one pairing of two option lists (greedy, best pairs first), or None when
    they are not the same options (another count, a pair or the mean below the minimum)."""
    if len(a) != len(b):
        return None
    if not a:
        return []
    if sorted(a) == sorted(b):  # the same options, maybe reordered: no fuzzy scoring
        where = {}
        for j, y in enumerate(b):
            where.setdefault(y, []).append(j)
        return [(i, where[x].pop(0), 100.0) for i, x in enumerate(a)]
    scored = sorted(((fuzz.ratio(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
                    key=lambda s: (-s[0], s[1], s[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for score, i, j in scored:
        if i in used_a or j in used_b:
            continue
        if score < OPTION_PAIR_MIN:
            return None
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j, score))
    if sum(s for _, _, s in pairs) / len(pairs) < OPTION_MIN:
        return None
    return pairs


def match(a: list[View], b: list[View], noisy: bool = False) -> tuple[float, View, View, list] | None:
    """The best matching pair of views of two occurrences: (score, view of a, view of b,
    option pairing), or None when no pair of views is the same question. ``noisy``: one of
    them was read by OCR, which also gets the tolerant test (:func:`_ocr_match`)."""
    best = None
    for va in a:
        for vb in b:
            stem = fuzz.ratio(va.stem, vb.stem)
            if stem < STEM_MIN:
                continue
            pairs = pair_options(va.options, vb.options)
            if pairs is None:
                continue
            score = stem + (sum(s for _, _, s in pairs) / len(pairs) if pairs else 100.0)
            if best is None or score > best[0]:
                best = (score, va, vb, pairs)
    if best is None and noisy:
        for va in a:
            for vb in b:
                score = _ocr_match(va, vb)
                if score is not None and (best is None or score > best[0]):
                    best = (score, va, vb, [])
    return best


def _ocr_match(a: View, b: View) -> float | None:
    """The same question as OCR reads it: the stem may carry the text of an exhibit the
    other copy shows as a picture (the shorter stem inside the longer, within
    :data:`OCR_STEM_MIN`), and a misread label glues two options into one or an option is
    garbled past recognition (``재현율`` read as ``aas``): the options, joined, are within
    :data:`OCR_OPTIONS_MIN` of each other, or all but one pair up. Scored below any clean
    match (strongest matches are united first)."""
    short, long = sorted((a.stem, b.stem), key=len)
    stem = fuzz.ratio(short, long)
    if len(short) >= OCR_MIN_STEM_CHARS:
        stem = max(stem, fuzz.partial_ratio(short, long))
    if stem < OCR_STEM_MIN or not a.options or not b.options:
        return None
    joined_a, joined_b = _joined(a.options), _joined(b.options)
    options = fuzz.ratio(joined_a, joined_b)
    if len(a.options) != len(b.options):
        shorter, longer = sorted((joined_a, joined_b), key=len)
        options = max(options, fuzz.partial_ratio(shorter, longer))
    elif len(a.options) >= 3:
        good = sum(1 for x in a.options if max(fuzz.ratio(x, y) for y in b.options) >= OPTION_MIN)
        if good >= len(a.options) - 1:
            options = max(options, OCR_OPTIONS_MIN)
    if options < OCR_OPTIONS_MIN:
        return None
    return stem + options - 100.0


def _joined(options: tuple[str, ...]) -> str:
    """Options as one text, without the one-character Latin tokens a misread label leaves
    between two options it glued (``드롭아웃 적용 d 학습률``)."""
    return " ".join(w for option in options for w in option.split() if len(w) > 1 or not w.isascii())


def _block_keys(all_views: list[list[View]]) -> list[set[str]]:
    """Each occurrence's block keys: the rarest words of its stems (document frequency
    over the whole build), :data:`BLOCK_TOKENS` per view."""
    words = [[set(w for w in v.stem.split() if len(w) >= MIN_KEY_CHARS) for v in vs] for vs in all_views]
    df: Counter[str] = Counter()
    for per_view in words:
        df.update(set().union(*per_view) if per_view else set())
    keys = []
    for vs, per_view in zip(all_views, words):
        mine: set[str] = set()
        for view, ws in zip(vs, per_view):
            # a word no other occurrence has (a garbled one, often) is a block of one
            shared = {w for w in ws if df[w] > 1}
            mine.update(sorted(shared, key=lambda w: (df[w], w))[:BLOCK_TOKENS])
            # and from the stem's first words: an OCR'd copy may carry an exhibit's text
            # after the question, whose words are rarer than the question's own
            first = {w for w in view.stem.split()[:LEAD_WORDS] if w in shared}
            mine.update(sorted(first, key=lambda w: (df[w], w))[:BLOCK_TOKENS - 1])
        keys.append(mine)
    return keys


def candidate_pairs(groups: list[Any], all_views: list[list[View]]) -> Iterable[tuple[int, int]]:
    """Index pairs sharing a block, from different groups (sources; or old and new
    corpus), each once, in a fixed order."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(_block_keys(all_views)):
        for key in keys:
            blocks[key].append(index)
    seen: set[tuple[int, int]] = set()
    for key in sorted(blocks):
        members = blocks[key]
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                if (i, j) in seen or groups[i] == groups[j]:
                    continue
                seen.add((i, j))
                yield i, j


def is_ocr_read(record: dict[str, Any], ocr_pages: frozenset[tuple[str, int]]) -> bool:
    """Was the record's text read by OCR (an OCR text dump, or a scanned page)?"""
    source = record["source"]
    return source.get("format") == "ocr-text" or any(
        (source["path"], page) in ocr_pages for page in source.get("pages") or [])


def primary_key(record: dict[str, Any], ocr_read: bool = False) -> tuple:
    """Smallest first: the primary occurrence of a cluster. An answer, an explanation,
    more translations, a text not read by OCR, fewer flags; then path, number and id (a
    total order)."""
    number = record.get("number")
    return (not record.get("answer"), not record.get("explanation"),
            -len(record.get("translations") or {}), ocr_read, len(record.get("flags") or []),
            record["source"]["path"], -1 if number is None else number, record["id"])


def _canonical(record: dict[str, Any]) -> tuple[str, int, str]:
    """Order-independent name of an occurrence (for ties and sorting)."""
    number = record.get("number")
    return (record["source"]["path"], -1 if number is None else number, record["id"])


class _Clusters:
    """Union-find whose clusters never hold two occurrences of one source."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.parent = list(range(len(records)))
        self.paths = [{r["source"]["path"]} for r in records]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a == b or self.paths[a] & self.paths[b]:
            return
        self.parent[b] = a
        self.paths[a] |= self.paths[b]


def merge_duplicates(records: list[dict[str, Any]], ocr_pages: frozenset[tuple[str, int]] = frozenset()
                     ) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    """Cluster the same question across sources. ``ocr_pages``: (path, page) read by OCR
    (a record on one, or from an OCR text dump, is matched with OCR's tolerance too).
    Returns the records to write (primaries with ``also_in`` where they have company, all
    others untouched) and, for every input record, (path, id) -> index of its record in
    that list, to re-point audit rows."""
    all_views = [views(r) for r in records]
    noisy = [is_ocr_read(r, ocr_pages) for r in records]
    found = []
    for i, j in candidate_pairs([r["source"]["path"] for r in records], all_views):
        best = match(all_views[i], all_views[j], noisy[i] or noisy[j])
        if best is not None:
            found.append((best[0], i, j))
    # strongest matches first, ties in a fixed order: the clusters do not depend on the
    # order the sources were given in
    found.sort(key=lambda f: (-f[0], _canonical(records[f[1]]), _canonical(records[f[2]])))
    clusters = _Clusters(records)
    for _, i, j in found:
        clusters.union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        groups[clusters.find(i)].append(i)
    out: list[dict[str, Any]] = []
    where: dict[tuple[str, str], int] = {}
    for members in sorted(groups.values(), key=lambda m: min(_canonical(records[i]) for i in m)):
        members.sort(key=lambda i: primary_key(records[i], noisy[i]))
        primary = records[members[0]]
        if len(members) > 1:
            primary = _merged(primary, [records[i] for i in members[1:]], all_views, members)
        for i in members:
            where[(records[i]["source"]["path"], records[i]["id"])] = len(out)
        out.append(primary)
    return out, where


def _merged(primary: dict[str, Any], others: list[dict[str, Any]],
            all_views: list[list[View]], members: list[int]) -> dict[str, Any]:
    """The primary record with ``also_in`` and, where another source answers otherwise,
    its answer as a signal and the conflict flag."""
    record = dict(primary)
    record["also_in"] = sorted(
        ({"path": o["source"]["path"], "sha256": o["source"]["sha256"],
          "pages": list(o["source"].get("pages") or []), "number": o.get("number")} for o in others),
        key=lambda a: (a["path"], -1 if a["number"] is None else a["number"]))
    mine = all_views[members[0]]
    signals = dict(record.get("answer_signals") or {})
    differs = False
    for other, index in zip(others, members[1:]):
        theirs = _answer_in_primary_labels(primary, mine, other, all_views[index])
        if theirs is None or not other.get("answer") or not primary.get("answer"):
            continue
        if sorted(theirs) != sorted(primary["answer"]):
            signals[f"source:{other['source']['path']}"] = theirs
            differs = True
    if differs:
        record["answer_signals"] = dict(sorted(signals.items()))
        record["flags"] = sorted(set(record.get("flags") or []) | {FLAG})
    return record


def _answer_in_primary_labels(primary: dict[str, Any], mine: list[View], other: dict[str, Any],
                              theirs: list[View]) -> list[str] | None:
    """The other occurrence's answer spelled in the primary's option labels (through the
    option pairing of the best matching views), or None when it cannot be said."""
    if primary.get("kind") == "matching" or other.get("kind") == "matching":
        return list(other.get("answer") or []) if primary.get("kind") == other.get("kind") else None
    best = match(mine, theirs)
    if best is None:
        return None
    _, va, vb, pairs = best
    to_primary = {vb.labels[j]: va.labels[i] for i, j, _ in pairs}
    try:
        return sorted(to_primary[label] for label in other.get("answer") or [])
    except KeyError:
        return None
