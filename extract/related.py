"""Related knowledge: the slides and article sections that teach what a question asks.

BM25 (Okapi, k1 = 1.2, b = 0.75) over the knowledge units, with language-aware tokens
that work across languages:

* Latin words, lower-cased, plural ``-s`` dropped, English stop words out (a Korean
  slide names ``SageMaker Clarify`` in Latin letters, as an English question does);
* Korean: syllable bigrams inside each word. Kiwi nouns were the first idea, but Kiwi
  takes 0.75 s for the guide's text, the whole time budget of the enrichment; bigrams
  are the classic stand-in for Korean retrieval, and a garbled syllable spoils two
  bigrams, not the whole word;
* Japanese and Chinese: character bigrams;
* the concepts the tagger found (tags and cues), one token per canonical name, shared by
  every language: what carries an English exam question to the Korean guide's page.
  A question's concept tokens weigh :data:`CONCEPT_WEIGHT` times a word.

Units that teach nothing are not candidates: agendas, module title pages, knowledge-check
introductions and the end-of-module question pages (kinds in :data:`NOT_TEACHING`), nor
the question's own pages (same source, a page of the question or of one of its
``also_in`` occurrences): the answer page of a knowledge check shares every word with it.

A question gets up to :data:`TOP` units scoring at least :data:`MIN_SCORE` and at least
:data:`MIN_FRACTION` of the best one; the score is the BM25 score (rounded, so the
output is stable across platforms' last bits).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

import numpy as np

from extract.tags import _norm_latin

K1 = 1.2
B = 0.75
TOP = 5
MIN_SCORE = 3.0
MIN_FRACTION = 0.3
CONCEPT_WEIGHT = 3.0
NOT_TEACHING = frozenset({"agenda", "module-title", "knowledge-check-intro", "questions"})
_WORD = re.compile(r"([A-Za-z]+)|([\uac00-\ud7a3]+|[\u3041-\u30fa\u30fd-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
STOP = frozenset("""a an the and or of to in on for with by from as at is are was were be been being this that these
those it its which what who whom how why when where will would can could should must may might do does did
not no yes than then so such if into out over under about after before between through each all any both few
more most other some only own same too very just also there their they them he she we you your our us i me my
company wants use using used uses need needs needed meet meets requirements requirement solution solutions
which following select choose two three one new data option options""".split())


def tokens(text: str) -> Counter:
    """Word and bigram tokens of ``text`` (see the module docstring)."""
    words: list[str] = []
    grams: list[str] = []
    for word, other in _WORD.findall(unicodedata.normalize("NFKC", text or "")):
        if word:
            norm = _norm_latin(word)
            if len(norm) > 1 and norm not in STOP:
                words.append(norm)
        else:
            if not "\uac00" <= other[0] <= "\ud7a3":
                other = other.replace("\u30fc", "")
            if len(other) == 1:
                grams.append(other)
            grams.extend(other[i:i + 2] for i in range(len(other) - 1))
    found = Counter(words)
    found.update(grams)
    return found


def concept_tokens(concepts: dict[str, float]) -> Counter:
    return Counter({"#" + name: weight for name, weight in concepts.items()})


class KnowledgeIndex:
    """BM25 postings of the candidate units: term -> (unit indexes, term weights)."""

    def __init__(self, units: list[dict[str, Any]], unit_tokens: list[Counter]) -> None:
        self.units = units
        self.n = len(units)
        lengths = np.array([sum(t.values()) for t in unit_tokens], dtype=float)
        average = float(lengths.mean()) if self.n else 1.0
        norm = K1 * (1 - B + B * lengths / (average or 1.0))
        term_ids: dict[str, int] = {}
        terms, docs, tfs = [], [], []
        for index, counts in enumerate(unit_tokens):
            terms.extend(term_ids.setdefault(term, len(term_ids)) for term in counts)
            docs.extend([index] * len(counts))
            tfs.extend(counts.values())
        term_array, doc_array = np.array(terms, dtype=np.int64), np.array(docs, dtype=np.int64)
        tf = np.array(tfs, dtype=float)
        df = np.bincount(term_array, minlength=len(term_ids)) if terms else np.zeros(0)
        idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5))
        weight = idf[term_array] * tf * (K1 + 1) / (tf + norm[doc_array]) if terms else tf
        order = np.argsort(term_array, kind="stable")  # postings in unit order, per term
        bounds = np.searchsorted(term_array[order], np.arange(len(term_ids) + 1))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, t in term_ids.items():
            chosen = order[bounds[t]:bounds[t + 1]]
            self.postings[term] = (doc_array[chosen], weight[chosen])
        self.by_page: dict[tuple[str, int], list[int]] = {}
        for index, unit in enumerate(units):
            for page in unit["source"]["pages"]:
                self.by_page.setdefault((unit["source"]["path"], page), []).append(index)

    def search(self, query: Counter, exclude: set[tuple[str, int]]) -> list[dict[str, Any]]:
        if not self.n:
            return []
        docs, weights = [], []
        for term in sorted(query):
            if term in self.postings:
                d, w = self.postings[term]
                docs.append(d)
                weights.append(w * query[term])
        if not docs:
            return []
        scores = np.bincount(np.concatenate(docs), weights=np.concatenate(weights), minlength=self.n)
        for key in exclude:
            for index in self.by_page.get(key, ()):
                scores[index] = 0.0
        order = sorted(np.flatnonzero(scores > 0).tolist(), key=lambda i: (-round(float(scores[i]), 6), self.units[i]["id"]))
        if not order or scores[order[0]] < MIN_SCORE:
            return []
        best = float(scores[order[0]])
        return [{"id": self.units[i]["id"], "score": round(float(scores[i]), 3)}
                for i in order[:TOP] if scores[i] >= MIN_FRACTION * best]


def own_pages(question: dict[str, Any]) -> set[tuple[str, int]]:
    """(source path, page) of the question and of its other occurrences."""
    places = [question["source"]] + list(question.get("also_in") or [])
    return {(place["path"], page) for place in places for page in place.get("pages") or []}
