"""Latin-script OCR correction: AWS/ML names and English words garbled by look-alikes.

The Korean course book's OCR reads Latin letters with a few systematic confusions
(``c``/``e``, ``l``/``I``/``1``, ``rn``/``m``, ``cl``/``d``, ``5``/``S``, ``b``/``h``, ``L``/``t``,
``u``/``n``, ``vv``/``w``, …). A garbled token is replaced by the lexicon word it was read
from when a weighted edit distance, with the look-alikes as cheap edits, names one clear
winner that is cheap relative to the token's length.

* Lexicon: AWS service and feature names and ML terms (``data/latin_terms.json``, written
  from general AWS/ML vocabulary; multiword Amazon/AWS names also space-less, so a glued
  ``Amazon5ageMaker`` becomes ``Amazon SageMaker``), plus common English words from
  :mod:`wordfreq` (its small list: targets and known words). A term with an inner capital
  (SageMaker, XGBoost) or a proper name imposes its case; a common word follows the token's.
* Candidates: token and lexicon reduced to a *skeleton* (look-alike classes folded), near
  skeletons found with rapidfuzz (domain forms; English words of about the token's length
  sharing its first or last letter), then scored by :meth:`LatinCorrector.weighted_distance`:
  ``confusions`` from the data file, a doubled letter or a narrow letter (i, l, t, r, f, j)
  dropped or added at reduced cost, anything else at full cost; a digit changes only
  through a look-alike. Domain names rank ``domain_prior`` ahead of common words.
* Accepted only for a clear winner (``margin`` ahead of any rival other than its own
  plural) within ``base + per_char * len`` (domain) or ``english_per_char * (len - 2)``
  (English: look-alikes only, in practice). PascalCase compounds of known words
  (``ModelBuilder``) only ever change by one edit towards a domain name; glued names are
  otherwise corrected part by part (``ModclMonitor``), or split at a slash the OCR read
  as ``l`` (``BalancinglELB`` → ``Balancing/ELB``; a bracket where the text closes one
  soon after: ``ServicelAmazon S3)`` → ``Service(Amazon S3)``), whichever is cheaper.
* Never touched: tokens shorter than four characters, acronyms in capitals, lower-camel
  identifiers, words known to the lexicon or to wordfreq's lists (its large list, read once
  per batch, vetoes rare real words: columnar, kubernetes), and every whitespace chunk that
  looks like code, a URL (also one whose slashes the OCR read as ``l``), an e-mail address
  or a file name.

Every edit is returned as an :class:`~extract.ocr_correct.Edit` (reasons
``latin-lookalike``, ``latin-glued``, ``latin-slash``, ``latin-case`` for ``AwS``,
``latin-acronym`` for ``CICD``/``AVML``, ``latin-split`` for ``Sage Maker``) for the audit output;
:func:`extract.latin_measure.garbled_tokens` counts what still looks garbled,
independently of the table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from extract.latin_distance import _INF, lookalike_distance, skeleton
from extract.latin_splits import LatinSplits
from extract.latin_tokens import _LATIN
from extract.latin_words import (
    RULES,
    TARGET_ENGLISH,
    Target,
    _imposes_case,
    common_english,
    large_english,
    lexicon_words,
)
from extract.ocr_correct import Edit
from extract.rules import load_rules

#: shorter English words are never a target (a 4-letter token may change by 0.2 only)
MIN_ENGLISH_TARGET = 5

#: edits whose token is no English word whatever wordfreq's large list holds
_NEVER_WORDS = frozenset({"latin-case", "latin-acronym", "latin-split"})
#: small letters printed in the shape of their capitals
_CASE_ALIKE = frozenset("cosuvwxz")


@dataclass(frozen=True)
class Limits:
    """Acceptance thresholds (``limits`` in the data file)."""

    min_length: int
    generic_cost: float
    double_letter_cost: float
    per_char: float
    base: float
    english_per_char: float
    margin: float
    domain_prior: float    # a domain name is this much likelier than a common word (ranking only)
    glue_cost: float
    thin_letters: str      # narrow glyphs the OCR drops or adds
    thin_indel_cost: float
    case_cost: float       # per small letter of an acronym read in its capital's shape (AwS)


class LatinCorrector(LatinSplits):
    """Build once (lexicon, English list, indexes), then :meth:`correct_many`."""

    def __init__(self) -> None:
        rules = load_rules(RULES)
        self.limits = Limits(**rules["limits"])
        self.confusions: dict[str, list[tuple[str, float]]] = {}
        for read, meant, cost in rules["confusions"]:
            self.confusions.setdefault(read, []).append((meant, float(cost)))
        self._read_lengths = sorted({len(r) for r in self.confusions}, reverse=True)
        self.slash_readings = frozenset(rules["slash"]["readings"])
        self.slash_cost = float(rules["slash"]["cost"])
        common = common_english()
        self.english = frozenset(common)
        #: the domain forms (lower case → how to write them)
        self.targets: dict[str, Target] = {}
        prefixes = frozenset(load_rules(RULES)["terms"]["aws_prefixes"])
        for term in lexicon_words():
            self._add_term(term, self.english, prefixes)
        self.lexicon = frozenset(self.targets)
        self.known = self.english | self.lexicon
        self._slash_acronyms = self._slash_readings(lexicon_words())
        self._rare: dict[str, bool] = {}
        # the token cache is the instance's own (on the class it would hold every instance)
        self.correct_token = lru_cache(maxsize=65536)(self.correct_token)
        # candidate search: rapidfuzz over the skeletons of the domain forms, and over those
        # of the English words of the token's length (±1) sharing its first letter, or of
        # its length sharing its last letter
        self._domain_keys = list(self.targets)
        self._domain_skeletons = [skeleton(k) for k in self._domain_keys]
        self._buckets: dict[tuple[str, int], tuple[list[str], list[str]]] = {}
        for word in common[:TARGET_ENGLISH]:
            if len(word) < MIN_ENGLISH_TARGET or word in self.lexicon or not word.isalpha():
                continue
            skel = skeleton(word)
            for end in ("^" + skel[0], "$" + skel[-1]):
                keys, skeletons = self._buckets.setdefault((end, len(skel)), ([], []))
                keys.append(word)
                skeletons.append(skel)

    def _add_term(self, term: str, common_words: frozenset[str], prefixes: frozenset[str]) -> None:
        words = term.split()
        for word in words:
            for piece in word.split("/"):
                if len(piece) < 2 or not _LATIN.search(piece):
                    continue
                key = piece.lower()
                impose = piece in prefixes or _imposes_case(piece, common_words)
                if key not in self.targets or impose and not self.targets[key].impose:
                    self.targets[key] = Target(piece, impose, domain=True)
                if (piece.islower() and piece.isalpha() and len(key) >= 4
                        and not key.endswith(("s", "x", "z", "sh", "ch", "y"))):
                    plural = key + "s"
                    if plural not in self.targets:
                        self.targets[plural] = Target(piece + "s", impose, domain=True)
        if len(words) > 1 and words[0] in ("Amazon", "AWS"):
            key = "".join(words).lower()
            if key not in self.targets:
                self.targets[key] = Target(term, impose=True, domain=True, glued=True)

    def target(self, key: str) -> Target:
        """How to write lexicon key ``key`` (a domain form, or a common English word)."""
        return self.targets.get(key) or Target(key, impose=False, domain=False)

    # ------------------------------------------------------------------ public
    def correct(self, text: str) -> tuple[str, list[Edit]]:
        return self.correct_many([text])[0]

    def correct_many(self, texts: Iterable[str]) -> list[tuple[str, list[Edit]]]:
        """Each text corrected, with its edits. Proposals are made token by token (cached);
        those whose token is a rare real word (wordfreq's large list, read once per batch)
        are dropped."""
        texts = list(texts)
        proposals = [self._proposals(text) for text in texts]
        self._check_rare({token for found in proposals for _, token, _ in found})
        results = []
        for text, found in zip(texts, proposals):
            edits = [Edit(start, token, after, reason, cost)
                     for start, token, (after, cost, reason) in found
                     if reason in _NEVER_WORDS or not self._rare[token.lower()]]
            if not edits:
                results.append((text, []))
                continue
            pieces, last = [], 0
            for edit in edits:
                pieces.append(text[last:edit.start])
                pieces.append(edit.after)
                last = edit.start + len(edit.before)
            pieces.append(text[last:])
            results.append(("".join(pieces), edits))
        return results

    def is_known(self, token: str) -> bool:
        """A word of the lexicon or of the (common) English list, in any case."""
        return token.lower() in self.known

    def is_rare_word(self, token: str) -> bool:
        """A real English word too rare for the common list (wordfreq's large list)?"""
        self._check_rare({token})
        return self._rare[token.lower()]

    def _check_rare(self, tokens: set[str]) -> None:
        todo = {t.lower() for t in tokens} - self._rare.keys()
        if not todo:
            return
        hits: set[str] = set()
        for bucket in large_english():
            hits |= todo.intersection(bucket)
        self._rare.update((word, word in hits) for word in todo)

    # ------------------------------------------------------------------ token
    def correct_token(self, token: str) -> tuple[str, float, str] | None:
        """(replacement, cost, reason) for a garbled token, or None to leave it."""
        acronym = self._case_slip(token) or self._slash_acronyms.get(token)
        if acronym is not None:
            return acronym
        if not self.suspect(token):
            return None
        compound = self.compound(token)
        found = self._best(token, compound)
        if found is None and not compound:
            # a slash read as a letter, or the parts corrected one by one: the cheaper
            # reading (ModclMonitor is Model+Monitor, not Mode/Monitor)
            readings = [r for r in (self._by_humps(token), self._slash(token)) if r]
            found = min(readings, key=lambda r: r[1]) if readings else None
        return found

    def _slash_readings(self, terms: list[str]) -> dict[str, tuple[str, float, str]]:
        """What the OCR makes of a pair of acronyms joined by a slash (``CI/CD``, ``AI/ML``),
        read as one token: the slash dropped (``CICD``) or read as a thin letter, or ``I/``
        read as one ``V`` (``AVML``). Pairs of four letters or more only: ``AB`` may be
        anything. Acronyms are otherwise never corrected (:meth:`suspect`)."""
        found: dict[str, tuple[str, float, str]] = {}
        for term in terms:
            for piece in term.split():
                parts = piece.split("/")
                if (len(parts) != 2 or not all(p.isupper() and p.isalpha() for p in parts)
                        or len(parts[0] + parts[1]) < 4):
                    continue
                readings = ["", *sorted(self.slash_readings)]
                variants = [piece.replace("/", r) for r in readings]
                if "I/" in piece:
                    variants.append(piece.replace("I/", "V"))
                for variant in variants:
                    if variant.lower() not in self.known:
                        found.setdefault(variant, (piece, self.slash_cost, "latin-acronym"))
        return found

    def _case_slip(self, token: str) -> tuple[str, float, str] | None:
        """A lexicon acronym read with a small letter whose capital has the same shape
        (``AwS`` = AWS, ``EcS`` = ECS: ``c o s u v w x z`` differ only by size in print). A
        final ``s`` after capitals is a plural (``IDs``)."""
        capitals = sum(c.isupper() for c in token)
        small = [c for c in token if c.islower()]
        if capitals < 2 or not small or not token.isalpha() or not set(small) <= _CASE_ALIKE:
            return None
        if token.endswith("s") and token[:-1].isupper():
            return None  # a plural (APIs, IDs)
        target = self.targets.get(token.lower())
        if target is None or not target.domain or target.form != token.upper():
            return None
        return target.form, self.limits.case_cost * len(small), "latin-case"

    def suspect(self, token: str) -> bool:
        """Could ``token`` be a garbled word? (the "never touch" rules)"""
        if len(token) < self.limits.min_length or sum(c.isalpha() for c in token) < 3:
            return False
        letters = "".join(c for c in token if c.isalpha())
        if letters.isupper():
            return False  # an acronym (KMS, IAM, CVCD, ML8)
        if token[0].islower() and any(c.isupper() for c in token):
            return False  # a lower-camel identifier (getObject)
        return not self.is_known(token)

    def compound(self, token: str) -> bool:
        """Known words (of 3+ letters) or acronyms joined in PascalCase (ModelBuilder,
        PutObject, CloudWitch): corrected only towards a domain name, by one edit at most,
        and never split at a slash."""
        humps = _humps(token)
        return len(humps) > 1 and all(
            len(h) >= 2 and h.isupper() or len(h) >= 3 and self.is_known(h) for h in humps)

    def candidates(self, token: str) -> list[str]:
        """Lexicon keys (lower case) whose skeleton is near the token's (a token holding a
        multi-letter reading such as ``cl`` is also looked up with it unfolded: ``Modcl``
        is Model, not a folded ``Modd``)."""
        found: set[str] = set()
        for skel in dict.fromkeys((skeleton(token), skeleton(token, pairs=False))):
            found.update(self._domain_keys[index] for _, _, index in process.extract(
                skel, self._domain_skeletons, scorer=Levenshtein.distance,
                score_cutoff=2 if len(skel) >= 6 else 1, limit=8))
            cutoff = 2 if len(skel) >= 9 else 1
            n = len(skel)
            for bucket in (("^" + skel[0], n - 1), ("^" + skel[0], n), ("^" + skel[0], n + 1),
                           ("$" + skel[-1], n)):
                keys, skeletons = self._buckets.get(bucket, ((), ()))
                if keys:
                    found.update(keys[index] for _, _, index in process.extract(
                        skel, skeletons, scorer=Levenshtein.distance, score_cutoff=cutoff,
                        limit=8))
        return sorted(found)

    def _best(self, token: str, compound: bool) -> tuple[str, float, str] | None:
        limits = self.limits
        lower = token.lower()
        # no accepted edit, nor a rival that could veto one, costs more than this
        bound = limits.base + limits.per_char * len(token) + limits.domain_prior + limits.margin
        scored = []
        for key in self.candidates(token):
            if len(key) >= limits.min_length:
                cost = self.weighted_distance(lower, key, bound)
                if cost < _INF:
                    rank = cost - limits.domain_prior if key in self.targets else cost
                    scored.append((rank, cost, key))
        if not scored:
            return None
        scored.sort()
        _, cost, key = scored[0]
        # a plural and its singular are one word: the cheaper one is taken, the other is no rival
        rivals = [rank for rank, _, k in scored[1:] if k not in (key + "s", key[:-1])]
        target = self.target(key)
        if target.glued:
            cost += limits.glue_cost
        if target.domain:
            allowed = limits.base + limits.per_char * len(token)
        else:
            allowed = limits.english_per_char * (len(token) - 2)
        if compound:
            if not target.domain:
                return None  # known words joined (PascalCase) only ever become a domain name
            allowed = min(allowed, limits.generic_cost)
        if cost > allowed:
            return None
        if rivals and rivals[0] - scored[0][0] < limits.margin:
            return None  # no clear winner
        after = self._cased(token, target)
        if after == token:
            return None
        reason = "latin-glued" if target.glued else "latin-lookalike"
        return after, round(cost, 3), reason

    def _by_humps(self, token: str) -> tuple[str, float, str] | None:
        """Names glued in PascalCase (``ModclMonitor``): each unknown part corrected on its
        own, known parts kept; only when every unknown part finds its word."""
        humps = _humps(token)
        if len(humps) < 2 or "".join(humps) != token or not all(h.isalpha() for h in humps):
            return None
        parts, total = [], 0.0
        for hump in humps:
            if self.is_known(hump) or hump.isupper():
                parts.append(hump)
                continue
            found = self._best(hump, False) if self.suspect(hump) else None
            if found is None or found[2] != "latin-lookalike":
                return None
            parts.append(found[0])
            total += found[1]
        after = "".join(parts)
        return (after, round(total, 3), "latin-lookalike") if after != token else None

    def _slash(self, token: str) -> tuple[str, float, str] | None:
        """``ServicelAmazon`` → ``Service/Amazon``: a slash read as l/I/1 between two words,
        the right one capitalized; each side known, or itself a garbled word with a clear
        correction (never when the left word takes the letter, as in ``ModelBuilder``)."""
        for index in range(3, len(token) - 2):
            if token[index] not in self.slash_readings or not token[index + 1].isupper():
                continue
            left, right = token[:index], token[index + 1:]
            if not left[-1].islower() or self.is_known(left + token[index]):
                continue
            cost = self.slash_cost
            sides = []
            for side in (left, right):
                if self.is_known(side) or side.isupper() and len(side) >= 2:
                    sides.append(side)
                    continue
                found = self._best(side, False) if self.suspect(side) else None
                if found is None or found[2] != "latin-lookalike":
                    break
                sides.append(found[0])
                cost += found[1]
            else:
                return f"{sides[0]}/{sides[1]}", round(cost, 3), "latin-slash"
        return None

    def weighted_distance(self, read: str, meant: str, bound: float = _INF) -> float:
        """Edit cost from ``read`` (lower case) to ``meant``: look-alikes at their table cost,
        a doubled letter at ``double_letter_cost``, a narrow letter (i, l, t, r, f, j) dropped
        or added at ``thin_indel_cost``, any other edit at ``generic_cost``;
        a digit of ``read`` changes only through a look-alike. Above ``bound``: inf."""
        return lookalike_distance(read, meant, self.limits, self.confusions, self._read_lengths, bound)

    @staticmethod
    def _cased(token: str, target: Target) -> str:
        if target.impose:
            return target.form
        word = target.form.lower()
        if token.isupper():
            return word.upper()
        if token[0].isupper():
            return word[0].upper() + word[1:]
        return word


def _humps(token: str) -> list[str]:
    """The camel-case parts of a token (``CodePipeline`` → Code, Pipeline)."""
    return re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", token)


@lru_cache(maxsize=1)
def get_latin_corrector() -> LatinCorrector:
    """The process-wide corrector (built on first use)."""
    return LatinCorrector()
