"""Tags: the AWS services, features and ML concepts a text mentions, by canonical name.

The lexicon is data (``data/concepts.json``): ML and cloud concepts with their English,
Korean, Japanese (and a few Chinese) surface forms, plus every AWS service name of
``data/latin_terms.json`` (the OCR corrector's vocabulary, not repeated: the concept file
only says which entries are not services, which are other names of one service, and
which bare names stand alone). One spaCy ``PhraseMatcher`` holds every surface form.

Tokens (one :class:`spacy.tokens.Doc` per text, built from our own script-aware split,
on a blank multi-language vocabulary):

* Latin: runs of letters or of digits, lower-cased, a plural ``-s`` dropped. So
  ``SageMaker's``, ``sagemaker`` and ``SAGEMAKER`` are one token, ``EC2`` is ``ec 2`` and
  ``fine-tuning``/``fine tuning`` and ``A/B`` match alike, in any language's text (a
  Korean page names services in Latin letters: ``Amazon SageMaker AI를``).
* Hangul: one token per syllable, spaces dropped, and a match must start where a word
  starts. Korean writes compounds with or without spaces (``하이퍼파라미터 튜닝``,
  ``하이퍼파라미터튜닝``, ``혼동 행렬``) and glues particles on (``튜닝을``): syllables
  match every spacing, the free end lets particles follow, and the word-start rule keeps
  ``정밀도`` (precision) out of ``측정 밀도`` and ``지도 학습`` out of ``비지도 학습``.
  Kiwi morphemes were the first choice, but tokenizing the guide's 270 000 characters
  takes Kiwi 0.75 s even on two threads: the whole enrichment budget (20% of a 5 s build).
* Kana and Han: one token per character (Japanese and Chinese write no spaces), after
  NFKC (half-width katakana) and without the long-vowel mark, so ``ハイパーパラメーター``
  and ``ハイパーパラメータ`` are one word. No Japanese tokenizer: spaCy's needs SudachiPy
  and its dictionary, a 70 MB download for two articles' worth of text.

Forms listed as ``en_cased`` (a bare service name that is an English word: ``Glue``,
``Lambda``, ``Model Monitor``) match only as capitalised, and a one-word one not at the
start of a sentence. Overlapping matches: the longest wins (``SageMaker Model Monitor``
is one tag, not also ``Amazon SageMaker``).

OCR garbles the corrector leaves in long names (``AWS Kcy Management Service`` on the
guide's page 399) are matched fuzzily: each Latin service name of two or more words and
at least 14 letters is looked for where one of its two longest words occurs exactly, and the
window of as many tokens is compared with rapidfuzz (ratio ≥ 90).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extract.rules import load_rules

RULES = "concepts"
_RUN = re.compile(r"([A-Za-z]+)|([0-9]+)|([\uac00-\ud7a3]+)|([\u3041-\u30fa\u30fd-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_SENTENCE_END = frozenset(".?!:;\n。？！：")
#: fuzzy matching of long Latin names
FUZZY_MIN_CHARS = 14
FUZZY_RATIO = 90.0


def _norm_latin(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass
class Tokens:
    """A text as the matcher sees it: normalised tokens, whether each may start a match
    (a Hangul syllable only where a word starts), and where each Latin token is in the
    (NFKC) text, for the capitalisation checks."""

    text: str
    norms: list[str]
    starts: list[bool]
    #: token index -> character offset, for Latin tokens (letters or digits)
    latin: dict[int, int]

    def capital(self, index: int) -> bool:
        offset = self.latin.get(index)
        return offset is not None and self.text[offset].isupper()

    def sentence_start(self, index: int) -> bool:
        """Is the token the first of a sentence (nothing but spaces after ``.?!:`` or a
        line break, or the start of the text)?"""
        offset = self.latin.get(index, 0)
        before = self.text[max(0, offset - 40):offset].rstrip(" \t\u3000")
        return not before or before[-1] in _SENTENCE_END


def tokenize(text: str) -> Tokens:
    """Split ``text`` for the matcher (see the module docstring). One regex match per
    run of a script, not per token: the guide's 270 000 characters take 0.1 s."""
    text = unicodedata.normalize("NFKC", text)
    norms: list[str] = []
    starts: list[bool] = []
    latin: dict[int, int] = {}
    for match in _RUN.finditer(text):
        word, digits, hangul, cjk = match.groups()
        if word or digits:
            latin[len(norms)] = match.start()
            norms.append(_norm_latin(word) if word else digits)
            starts.append(True)
        elif hangul:
            norms.extend(hangul)
            starts.append(True)
            starts.extend([False] * (len(hangul) - 1))
        else:
            cjk = cjk.replace("\u30fc", "").replace("\u30fb", "")
            norms.extend(cjk)
            starts.extend([True] * len(cjk))
    return Tokens(text, norms, starts, latin)


@dataclass(frozen=True)
class Surface:
    concept: str
    #: capitalisation each token must have (None: any), for ``en_cased`` forms
    cased: tuple[bool, ...] | None


class Lexicon:
    """Canonical names, their kind (service or concept), whether they are tags or only
    cues, and every surface form."""

    def __init__(self) -> None:
        rules = load_rules(RULES)
        latin = load_rules("latin_terms")["terms"]
        services = rules["services"]
        exclude = set(services["exclude"])
        alias = {other: name for name, others in services["same_as"].items() for other in others}
        bare = set(services["bare"])
        self.kind: dict[str, str] = {}
        self.cue: set[str] = set()
        #: surface text -> (concept, cased?) in insertion order (first wins)
        self.surfaces: dict[tuple[str, bool], str] = {}

        def add(concept: str, form: str, cased: bool = False) -> None:
            self.surfaces.setdefault((form, cased), concept)

        names = [s for s in latin["aws_services"]] + [s for s in latin["sagemaker"] if s.startswith("SageMaker ")]
        for entry in names:
            if entry in exclude:
                continue
            full = "Amazon " + entry if entry.startswith("SageMaker ") else entry
            concept = alias.get(entry) or alias.get(full) or full
            self.kind[concept] = "service"
            for form in dict.fromkeys([concept, entry, full]):
                add(concept, form)
            if full.startswith("Amazon SageMaker "):
                # a feature's bare name: only a multiword one (``Model Monitor``) or a listed
                # one, capitalised; never by shape (``AI`` of ``SageMaker AI`` is no name)
                rest = full[len("Amazon SageMaker "):]
                if " " in rest or rest in bare:
                    add(concept, rest, cased=True)
            elif full.startswith(("Amazon ", "AWS ")):
                rest = full.split(" ", 1)[1]
                if _distinctive(rest):
                    add(concept, rest)
                elif " " in rest or rest in bare:
                    add(concept, rest, cased=True)
        for name, forms in rules["concepts"].items():
            self.kind.setdefault(name, "service" if name.startswith(("Amazon ", "AWS ")) else "concept")
            if forms.get("cue"):
                self.cue.add(name)
            add(name, name, cased=False)
            for lang in ("en", "ko", "ja", "zh"):
                for form in forms.get(lang, []):
                    add(name, form)
            for form in forms.get("en_cased", []):
                add(name, form, cased=True)

    def is_tag(self, concept: str) -> bool:
        return concept not in self.cue


def _distinctive(name: str) -> bool:
    """A service's name without Amazon/AWS that cannot be an English word: a digit, a
    capital inside (``S3``, ``SageMaker``, ``FSx``) or an acronym (``EMR``)."""
    if " " in name or len(name) < 2:
        return False
    if name.isupper():
        return len(name) >= 3
    return any(c.isdigit() for c in name) or any(c.isupper() for c in name[1:])


class Tagger:
    """Load once (:func:`get_tagger`), then :meth:`count` any number of texts."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc

        self._Doc = Doc
        self.lexicon = Lexicon()
        self.nlp = spacy.blank("xx")
        self.matcher = PhraseMatcher(self.nlp.vocab)
        self.surfaces: dict[int, Surface] = {}
        patterns: dict[str, list[Any]] = {}
        fuzzy: list[tuple[str, list[str]]] = []
        for (form, cased), concept in self.lexicon.surfaces.items():
            tokens = tokenize(form)
            if not tokens.norms:
                continue
            mask = tuple(tokens.capital(i) for i in range(len(tokens.norms))) if cased else None
            key = f"{concept}\t{mask}"
            self.surfaces[self.nlp.vocab.strings.add(key)] = Surface(concept, mask)
            patterns.setdefault(key, []).append(Doc(self.nlp.vocab, words=tokens.norms))
            if (not cased and self.lexicon.kind.get(concept) == "service"
                    and len(tokens.latin) == len(tokens.norms) >= 2
                    and sum(len(n) for n in tokens.norms) >= FUZZY_MIN_CHARS):
                fuzzy.append((concept, tokens.norms))
        for key, docs in patterns.items():
            self.matcher.add(key, docs)
        #: anchor token -> [(concept, surface tokens, anchor position)]
        self.anchors: dict[str, list[tuple[str, list[str], int]]] = {}
        for concept, norms in fuzzy:
            ranked = sorted(range(len(norms)), key=lambda i: (-len(norms[i]), i))[:2]
            for i in ranked:
                if len(norms[i]) >= 4:
                    self.anchors.setdefault(norms[i], []).append((concept, norms, i))

    def count(self, text: str) -> Counter:
        """Canonical name -> how often ``text`` mentions it."""
        return Counter({concept: len(where) for concept, where in self.mentions(text).items()})

    def mentions(self, text: str) -> dict[str, list[int]]:
        """Canonical name -> the token positions where ``text`` mentions it, in order of
        first mention."""
        found: dict[str, list[int]] = {}
        if not text:
            return found
        tokens = tokenize(text)
        if not tokens.norms:
            return found
        doc = self._Doc(self.nlp.vocab, words=tokens.norms)
        spans = []
        for key, start, end in self.matcher(doc):
            surface = self.surfaces[key]
            if not tokens.starts[start]:
                continue
            if surface.cased is not None:
                if any(want and not tokens.capital(i) for i, want in enumerate(surface.cased, start)):
                    continue
                if end - start == 1 and tokens.sentence_start(start):
                    continue
            spans.append((start, end, surface.cased is not None, surface.concept))
        taken = [False] * len(tokens.norms)
        # longest first; on one span a cased form (a name) before a plain word
        for start, end, _cased, concept in sorted(spans, key=lambda s: (s[0] - s[1], not s[2], s[0], s[3])):
            if any(taken[start:end]):
                continue
            for i in range(start, end):
                taken[i] = True
            found.setdefault(concept, []).append(start)
        self._fuzzy(tokens, taken, found)
        return {c: sorted(p) for c, p in sorted(found.items(), key=lambda item: (min(item[1]), item[0]))}

    def _fuzzy(self, tokens: Tokens, taken: list[bool], found: dict[str, list[int]]) -> None:
        from rapidfuzz import fuzz

        norms = tokens.norms
        for i, norm in enumerate(norms):
            if taken[i] or norm not in self.anchors:
                continue
            best: tuple[float, str, int, int] | None = None
            for concept, words, position in self.anchors[norm]:
                start, end = i - position, i - position + len(words)
                if (start < 0 or end > len(norms) or any(taken[start:end])
                        or any(j not in tokens.latin for j in range(start, end))):
                    continue
                score = fuzz.ratio(" ".join(norms[start:end]), " ".join(words))
                if score >= FUZZY_RATIO and (best is None or score > best[0]):
                    best = (score, concept, start, end)
            if best:
                _, concept, start, end = best
                for j in range(start, end):
                    taken[j] = True
                found.setdefault(concept, []).append(start)


@lru_cache(maxsize=1)
def get_tagger() -> Tagger:
    """The process-wide tagger (spaCy imported and the matcher built once)."""
    return Tagger()
