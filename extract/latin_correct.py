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

from extract.ocr_correct import Edit
from extract.rules import load_rules

RULES = "latin_terms"
#: wordfreq's small English list (rank order): known words, never touched
COMMON_ENGLISH = 30_000
#: the most frequent of them can also be the target of a correction
TARGET_ENGLISH = 25_000
#: shorter English words are never a target (a 4-letter token may change by 0.2 only)
MIN_ENGLISH_TARGET = 5
_INF = float("inf")

#: edits whose token is no English word whatever wordfreq's large list holds
_NEVER_WORDS = frozenset({"latin-case", "latin-acronym", "latin-split"})
#: the next word after a token and one space (a name's second half: ``Sage Maker``)
_NEXT_WORD = re.compile(r" ([A-Z][a-z]+)(?![A-Za-z0-9])")
_NEXT_PIECE = re.compile(r" ([a-z]+)(?![A-Za-z0-9])")
#: one-letter words: never the first half of a word split in two (a part, a way)
_LETTER_WORDS = frozenset({"a", "i"})
#: a word split in two is joined only when it is this long (short ones abound by chance)
MIN_SPLIT_WORD = 5
#: small letters printed in the shape of their capitals
_CASE_ALIKE = frozenset("cosuvwxz")
#: a Latin token: letters and digits between non-alphanumerics (Hangul included)
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?![A-Za-z0-9])")
_LATIN = re.compile(r"[A-Za-z]")
_CHUNK = re.compile(r"\S+")
_SPACES = " \t\n\r\f\v\u00a0\u3000"
#: a whitespace chunk holding one of these is code, a URL, a path, an e-mail or a file name
_PROTECT = re.compile(
    r"://|www\.|https?|ttps|@|_|=|\\|[{}<>`$#|~^]|::|->|/\S*/|\.(?:com|org|net|io)\b"
    # dotted names (file.csv, sagemaker.session), calls (fit(), Estimator(role, ...)
    r"|[A-Za-z0-9]\.[A-Za-z0-9]|[A-Za-z0-9]\((?:\)|[^)\s]*[,'\"])"
    # a URL whose slashes and dots the OCR read as l (comlsagemakerllatest, httpsllaws)
    r"|(?<![a-z])coml|ll(?:aws|docs|support|latest|mlu)",
    re.IGNORECASE)
#: look-alike classes folded for the candidate search (multi-letter readings first)
_SKELETON_PAIRS = (("rn", "m"), ("cl", "d"), ("vv", "w"))
_SKELETON_CHARS = str.maketrans({"c": "e", "i": "l", "1": "l", "t": "l", "j": "l", "b": "h",
                                 "u": "n", "q": "g", "9": "g", "5": "s", "0": "o", "z": "2"})


def skeleton(word: str, pairs: bool = True) -> str:
    """``word`` with every look-alike class folded to one letter (a search key only);
    ``pairs=False`` leaves the multi-letter readings (rn, cl, vv) as they are."""
    word = word.lower()
    if pairs:
        for pair, single in _SKELETON_PAIRS:
            word = word.replace(pair, single)
    return word.translate(_SKELETON_CHARS)


@dataclass(frozen=True)
class Target:
    """A word a token may be corrected to."""

    form: str        # as it is written (its case pattern, for an imposed-case term)
    impose: bool     # does the term impose its case pattern (SageMaker), or follow the token's
    domain: bool     # from the AWS/ML lexicon (else a common English word)
    glued: bool = False  # the space-less form of a multiword name (AmazonS3 → Amazon S3)


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


class LatinCorrector:
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

    # ------------------------------------------------------------------ text
    def _proposals(self, text: str) -> list[tuple[int, str, tuple[str, float, str]]]:
        """(start, token, correction) of the tokens of ``text`` the lexicon would change,
        outside chunks that look like code, URLs, e-mail addresses or file names."""
        if not _LATIN.search(text):
            return []
        found = []
        split_at = -1
        for match in _TOKEN.finditer(text):
            if match.start() < split_at:
                continue  # the second half of a name rejoined below
            split = self._split_name(text, match)
            if split is not None:
                found.append((match.start(), split[0], split[1]))
                split_at = match.start() + len(split[0])
                continue
            correction = self.correct_token(match.group())
            if correction is None:
                continue
            start, end = match.span()
            if not _protected(text, start, end):
                found.append((start, match.group(), _bracket_for_slash(correction, text, end)))
        return found

    def _split_name(self, text: str, match: re.Match[str]) -> tuple[str, tuple[str, float, str]] | None:
        """A CamelCase name of the lexicon the OCR read with a space inside (``Sage Maker``):
        the two tokens and the name they make. Only names with an inner capital, so two
        words that are a name together (``Data Wrangler``) stay apart. Else a word split
        in two (:meth:`_split_word`)."""
        following = _NEXT_WORD.match(text, match.end())
        if following is None:
            return self._split_word(text, match)
        joined = match.group() + following.group(1)
        target = self.targets.get(joined.lower())
        if (target is None or not target.impose or target.glued
                or not any(c.isupper() for c in target.form[1:])):
            return None
        return match.group() + following.group(0), (target.form, self.limits.glue_cost, "latin-split")

    def _split_word(self, text: str, match: re.Match[str]) -> tuple[str, tuple[str, float, str]] | None:
        """A word the OCR read with a space inside (``Spe cialty``, ``Le arning``, ``Manage
        d``): the two pieces, when together they are a known word of
        :data:`MIN_SPLIT_WORD` letters or more and one of them is none (a one-letter piece
        counts as none, but for ``a`` and ``I`` first; an acronym is never a first half).
        Two words stay apart (``in to``, ``a part``), and so does a chunk that looks like
        code."""
        following = _NEXT_PIECE.match(text, match.end())
        if following is None:
            return None
        first, second = match.group(), following.group(1)
        if (not first.isalpha() or first.lower() in _LETTER_WORDS or len(first) > 1 and first.isupper()
                or len(first + second) < MIN_SPLIT_WORD or not self.is_known(first + second)):
            return None  # an acronym is no half word (EMBER AB i)
        if len(first) > 1 and len(second) > 1 and self.is_known(first) and self.is_known(second):
            return None
        if _protected(text, match.start(), following.end()):
            return None
        target = self.targets.get((first + second).lower())
        form = target.form if target is not None and target.impose else first + second
        return first + following.group(0), (form, self.limits.glue_cost, "latin-split")

    # ------------------------------------------------------------------ token
    @lru_cache(maxsize=65536)
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
        return _distance(read, meant, self, bound)

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


def _distance(read: str, meant: str, corrector: LatinCorrector, bound: float = _INF) -> float:
    generic = corrector.limits.generic_cost
    double = corrector.limits.double_letter_cost
    thin, thin_cost = corrector.limits.thin_letters, corrector.limits.thin_indel_cost
    confusions = corrector.confusions
    lengths = corrector._read_lengths
    n, m = len(read), len(meant)
    row = [[_INF] * (m + 1) for _ in range(n + 1)]
    row[0][0] = 0.0
    reach = max(lengths, default=1)
    for i in range(n + 1):
        if all(min(r) > bound for r in row[i:i + reach]):
            return _INF  # every path already costs more than the caller can use
        cur = row[i]
        for j in range(m + 1):
            base = cur[j]
            if base == _INF:
                continue
            if i < n:
                ch = read[i]
                nxt = row[i + 1]
                if j < m and ch == meant[j]:
                    if base < nxt[j + 1]:
                        nxt[j + 1] = base
                elif not ch.isdigit():
                    if j < m and base + generic < nxt[j + 1]:
                        nxt[j + 1] = base + generic
                    drop = double if i and read[i - 1] == ch else thin_cost if ch in thin else generic
                    if base + drop < nxt[j]:
                        nxt[j] = base + drop
                for size in lengths:
                    if i + size > n:
                        continue
                    for target, cost in confusions.get(read[i:i + size], ()):
                        k = len(target)
                        if meant[j:j + k] == target and base + cost < row[i + size][j + k]:
                            row[i + size][j + k] = base + cost
            if j < m:
                add = (double if j and meant[j - 1] == meant[j]
                       else thin_cost if meant[j] in thin else generic)
                if base + add < cur[j + 1]:
                    cur[j + 1] = base + add
    return row[n][m]


def _bracket_for_slash(correction: tuple[str, float, str], text: str, end: int
                       ) -> tuple[str, float, str]:
    """A letter read for ``(`` looks like one read for ``/``: when the text closes a bracket
    soon after with none opened (``ServicelAWS KMS)``), it was ``(``."""
    fixed, cost, reason = correction
    if reason != "latin-slash":
        return correction
    rest = text[end: end + 40]
    close, open_ = rest.find(")"), rest.find("(")
    if close >= 0 and (open_ < 0 or open_ > close):
        return fixed.replace("/", "(", 1), cost, reason
    return correction


def _humps(token: str) -> list[str]:
    """The camel-case parts of a token (``CodePipeline`` → Code, Pipeline)."""
    return re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", token)


def _protected(text: str, start: int, end: int) -> bool:
    """Does the whitespace chunk holding ``text[start:end]`` look like code, a URL, a path,
    an e-mail or a file name (:data:`_PROTECT`)?"""
    left = max(text.rfind(c, 0, start) for c in _SPACES) + 1
    right = min((i for i in (text.find(c, end) for c in _SPACES) if i >= 0), default=len(text))
    return bool(_PROTECT.search(text, left, right))


def _imposes_case(word: str, common_words: frozenset[str]) -> bool:
    """Does a lexicon word impose its case (a capital after the first letter, all caps, or
    a proper name that is no common English word)?"""
    if any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word):
        return True
    return word[0].isupper() and word.lower() not in common_words


def lexicon_words() -> list[str]:
    """The terms of ``data/latin_terms.json``, in file order, without repeats."""
    groups = load_rules(RULES)["terms"].values()
    return list(dict.fromkeys(term for group in groups for term in group))


@lru_cache(maxsize=1)
def common_english() -> list[str]:
    """wordfreq's common English words (its small list), most frequent first."""
    from wordfreq import top_n_list

    return top_n_list("en", COMMON_ENGLISH, wordlist="small")


@lru_cache(maxsize=1)
def large_english() -> list[list[str]]:
    """wordfreq's large English list as its frequency buckets (read once: about 40 ms;
    membership is checked per batch, never as one big dict)."""
    from wordfreq import get_frequency_list

    return get_frequency_list("en", wordlist="large")


@lru_cache(maxsize=1)
def get_latin_corrector() -> LatinCorrector:
    """The process-wide corrector (built on first use)."""
    return LatinCorrector()
