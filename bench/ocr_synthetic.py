#!/usr/bin/env python3
"""How well the Korean OCR corrector generalizes, measured without more gold.

    python3 bench/ocr_synthetic.py [--seed S] [--paragraphs N] [--json] [--calibrated]
                                   [--cmd "qbank clean"] [--write SYNTH.jsonl]

Method
------
1. **Learn the OCR's error channel** from the 30 dev pairs (``../shared/gold/
   ocr_pairs_dev.jsonl``, every row). Each pair is normalised as ``evaluate.py`` does and
   aligned character by character (rapidfuzz ``Levenshtein.editops``, clean → noisy), so
   every clean *unit* (a syllable, a run of Latin letters/digits, a space, a symbol) gets
   an emission (itself, another string, or nothing) and every gap between units gets what
   was inserted there. The counts kept are:

   * Hangul syllables: P(misread | syllable, word-final or not), smoothed towards a prior
     from the syllable's jamo (how often each initial / vowel / final is read as another,
     counted over all syllables but the word-final particles); the syllable → emission
     pair table (을→올, 는→논, 를→률/틀: word-final substitutions, the particle and ending
     confusions); and the jamo confusion tables (ㅡ→ㅗ, ㅕ→ㅓ, final ㄹ→ㅁ...), which misread
     the syllables the pairs never show misread;
   * Latin runs: a run's own pattern table where the pairs misread it twice or more
     (``AI``→``시``/``Al``), otherwise per-letter look-alikes (``I``→``l``), pulled hard
     towards the class rate (most letters are seen a handful of times);
   * spaces and punctuation; insertions by kind of gap (inside a word, before/after a
     space, after a space that follows a sentence's end, start/end of the paragraph):
     spaces, stray syllables, the slides' icons, the watermark's debris. The icons stand
     where a sentence starts (15 times the rate of other gaps after a space in the pairs),
     so they are drawn there and not inside a phrase.

   The channel's rates are reported as edit operations per reference character by type;
   they sum to the dev pairs' CER before correction.

2. **Corrupt clean text the corrector never saw**: the Korean lines of
   ``../shared/data/mls-guide-with-questions.txt`` (third-party data, read at run time and
   never copied into the repository; markup, bullets, URLs and repeated lines dropped) are
   joined into paragraphs of 100-400 characters like the dev pairs. Every site is misread
   with its learned probability and what it is read as is drawn from the learned tables:
   the set's error rate is the one the source's own syllables imply (lower than the pairs':
   it has fewer particles than their narration). ``--calibrated`` is a stress test: the
   odds are multiplied by one factor for characters and one for gaps so that the set's
   expected edits per character are the dev pairs' (insertions and the rest apart), which
   puts about twice the odds on every other character, so words hold more errors than the
   same OCR would put in them. Each paragraph is corrupted
   once per *batch*; batch ``b`` of seed ``s`` draws paragraph ``i`` from
   ``Random(f"{s}:{b}:{i}")``, so a run is deterministic, and ``--paragraphs N`` is rounded
   up to whole batches.

3. **Score the corrector** with ``evaluate.py ocr``'s figures (CER before/after, errors
   removed = 1 − after/before, CER added on clean text, paragraphs made worse), in process
   through the same steps as ``qbank clean`` (``clean_lines``, then the Korean and the
   Latin corrector), one call per batch: the watermark detector of ``clean_lines`` learns
   from all lines of a call, so a call holds one copy of each paragraph (a paragraph seen
   thirty times in one call would look like page furniture). The clean paragraphs are
   cleaned once and counted once per corrupted copy. ``--cmd`` pipes each batch through a
   command instead (``"qbank clean"`` gives the same figures, one model load per batch).
   The dev pairs are scored the same way, in one call as ``evaluate.py`` does. A second
   table counts wrong *sites* by kind (particle/ending, other syllable, Latin,
   space/punctuation, insertion) and the share of each that correction puts right.

Reading the gap
---------------
``gap`` is dev errors removed minus synthetic errors removed, in points. The dev figure is
what the rules were tuned on; the synthetic figure is the same channel on unseen words.
A rule that raises the dev figure and not the synthetic one fits the pairs (a word or a
phrase of theirs) rather than the OCR. The 90% intervals (bootstrap over paragraphs; for
the synthetic set over *source* paragraphs, with all their corrupted copies) say how much
of a gap is sampling: with 30 dev pairs a few points are noise. Part of a gap is only a
different mix of errors (particles, which the corrector nearly always puts right, are
rarer in the source's bullet lists): the site table's "at the dev mix of kinds" weighs the
synthetic per-kind figures by the dev pairs' mix, and its distance to the dev site figure
is the part of the gap within kinds. CER added on clean text should be 0 on both; a
non-zero synthetic figure is a rule firing on correct text it was not written for (the
changes are listed).

Limits
------
* The channel is context-free: each site is misread independently. Real OCR errors cluster
  (a bad scan, a small font, a whole word garbled at once: 콘텐츠→근렌즈), so the synthetic
  set has more isolated errors, and fewer multi-syllable garbles, than real pages;
  ``--calibrated``, on the other hand, raises every non-particle character's odds (about
  2x) to reach the dev CER on a text with fewer particles, so words there hold more errors
  than in the pairs. The default keeps the learned rates (the same OCR on other words).
* It only knows the confusions of 30 paragraphs of one book; a syllable they seldom show
  gets its rate from its jamo and is misread through jamo confusions learned from a few
  hundred substitutions; Latin look-alikes only where the pairs show one.
* Watermark debris is inserted at the learned gap kinds (mostly a paragraph's end, as in
  the pairs), not where a page's watermark would fall.
* The clean source is small (17 paragraphs, about 5,200 characters, mostly bullet lists
  and exam explanations rather than slide narration), so all batches share the same
  words: more batches reduce the noise of the corruption, not that of the text. It has
  typos of its own (a fix of one counts as harm).
  The corrector's domain lexicon covers the same subject and may include its words.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
import time
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from extract.hangul import BASE, FINALS, INITIALS, VOWELS, is_syllable  # noqa: E402

SHARED = REPO.parent / "shared"
DEV_PAIRS = SHARED / "gold" / "ocr_pairs_dev.jsonl"
CLEAN_TEXT = SHARED / "data" / "mls-guide-with-questions.txt"

#: smoothing weights: a syllable seen n times with k misreadings has P = (k + A·prior)/(n + A),
#: its prior from the jamo it is made of; a Latin letter or a punctuation mark (a few dozen
#: of each in the dev pairs, most seen a handful of times) is pulled harder to its class rate
SMOOTH = 5.0
SMOOTH_CLASS = 20.0
#: weight of a position's mean in the rate of one jamo at that position
SMOOTH_JAMO = 5.0
#: weight of the generic (jamo) fallback against a syllable's own emission table
BACKOFF = 1.0
#: a Latin run's own pattern table is used once the dev pairs misread the run this often
RUN_MIN_ERRORS = 2
#: word-final syllables that are particles or endings (their confusions are reported apart)
PARTICLES = frozenset("을를은는이가의에로와과도만서고며다")
OP_TYPES = ("syllable substitution", "Latin look-alike", "cross-script substitution",
            "other substitution", "space deletion", "character deletion",
            "space insertion", "character insertion")

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z0-9]")
_UNIT = re.compile(r"[A-Za-z0-9]+|.", re.S)


def norm(s: str | None) -> str:
    """``evaluate.py``'s normalisation: NFC, whitespace runs to one space, stripped."""
    s = unicodedata.normalize("NFC", s or "")
    return re.sub(r"\s+", " ", s).strip()


def read_pairs(path: Path = DEV_PAIRS) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ------------------------------------------------------------------ units and alignment
@dataclass(frozen=True)
class Unit:
    kind: str   # "syllable", "latin" (a run of letters/digits), "space", "other"
    text: str
    start: int
    final: bool = False  # a syllable ending its word (the particle/ending slot)


def units(text: str) -> list[Unit]:
    out = []
    for m in _UNIT.finditer(text):
        t = m.group()
        kind = ("latin" if _LATIN.match(t) else "syllable" if is_syllable(t)
                else "space" if t == " " else "other")
        out.append(Unit(kind, t, m.start()))
    return [Unit(u.kind, u.text, u.start,
                 u.kind == "syllable" and (i + 1 == len(out) or out[i + 1].kind != "syllable"))
            for i, u in enumerate(out)]


def gap_kind(us: list[Unit], i: int) -> str:
    """The kind of gap ``i`` (before unit ``i`` of ``us``; ``len(us)``: the end). A gap after
    a space is ``sentence`` when the space follows a sentence's end (``합니다.``, ``있습니다``):
    the slides' icons and the page's speckles are read where a line or sentence starts, not
    inside one (every icon the dev pairs hold stands there)."""
    before = us[i - 1] if i else None
    after = us[i] if i < len(us) else None
    if before is None:
        return "start"
    if after is None:
        return "end"
    if after.kind == "space":
        return "pre_space"
    if before.kind == "space":
        return "sentence" if _ends_sentence(us[:i - 1]) else "post_space"
    return "word"


def _ends_sentence(us: list[Unit]) -> bool:
    """Do the units end a sentence: a full stop, ``?``/``!``, or a Korean verb ending?"""
    if not us:
        return False
    last = us[-1]
    return last.text in ".?!" or (last.kind == "syllable" and last.text in "다요")


def align(clean: str, noisy: str) -> tuple[list[str], list[str]]:
    """What each clean character was read as, and what was inserted before each clean
    character (index ``len(clean)``: at the end)."""
    emit = list(clean)
    inserted = [""] * (len(clean) + 1)
    for op in Levenshtein.editops(clean, noisy):
        if op.tag == "replace":
            emit[op.src_pos] = noisy[op.dest_pos]
        elif op.tag == "delete":
            emit[op.src_pos] = ""
        else:
            inserted[op.src_pos] += noisy[op.dest_pos]
    return emit, inserted


def read_units(clean: str, emit: list[str], inserted: list[str]) -> tuple[list[Unit], list[str], list[str]]:
    """The units of ``clean``, what each was read as, and what was inserted in each gap
    (gap ``i`` is before unit ``i``; the last one ends the text), from :func:`align`'s output.

    One fix-up of the alignment: a Latin run read with a syllable of its own while the
    particle after it vanished (``AI는`` → ``시논`` aligns as AI→시논, 는→∅, at the same cost
    as AI→시, 는→논) gives that syllable back to the particle."""
    us = units(clean)
    emissions = []
    for u in us:
        end = u.start + len(u.text)
        emissions.append("".join(emit[j] + (inserted[j + 1] if j + 1 < end else "")
                                 for j in range(u.start, end)))
    for i, u in enumerate(us[:-1]):
        e, after = emissions[i], us[i + 1]
        if (u.kind == "latin" and after.kind == "syllable" and after.start == u.start + len(u.text)
                and emissions[i + 1] == "" and e and is_syllable(e[-1]) and not inserted[after.start]):
            emissions[i], emissions[i + 1] = e[:-1], e[-1]
    gaps = [inserted[u.start] for u in us] + [inserted[len(clean)]]
    return us, emissions, gaps


def op_type(tag: str, ref: str, hyp: str) -> str:
    if tag == "replace":
        if is_syllable(ref) and is_syllable(hyp):
            return "syllable substitution"
        if ref.isascii() and ref.isalnum() and hyp.isascii() and not hyp.isspace():
            return "Latin look-alike"
        if (ref.isascii() and ref.isalnum()) or (is_syllable(ref) and not hyp.isspace()):
            return "cross-script substitution"
        return "other substitution"
    if tag == "delete":
        return "space deletion" if ref == " " else "character deletion"
    return "space insertion" if hyp == " " else "character insertion"


def op_counts(clean: str, noisy: str) -> Counter:
    """Edit operations (clean → noisy) by :data:`OP_TYPES`; they sum to the distance."""
    counts: Counter = Counter()
    for op in Levenshtein.editops(clean, noisy):
        ref = clean[op.src_pos] if op.tag != "insert" else ""
        hyp = noisy[op.dest_pos] if op.tag != "delete" else ""
        counts[op_type(op.tag, ref, hyp)] += 1
    return counts


def split_jamo(syllable: str) -> tuple[str, str, str]:
    code = ord(syllable) - BASE
    return INITIALS[code // 588], VOWELS[code // 28 % 21], FINALS[code % 28]


def join_jamo(initial: str, vowel: str, final: str) -> str:
    return chr(BASE + 588 * INITIALS.index(initial) + 28 * VOWELS.index(vowel) + FINALS.index(final))


def _draw(table: Counter, rng: random.Random):
    items = sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))
    return rng.choices([k for k, _ in items], weights=[v for _, v in items])[0]


def _mean_cost(table: Counter, ref: str) -> float:
    total = sum(table.values())
    return sum(n * Levenshtein.distance(e, ref) for e, n in table.items()) / total if total else 0.0


# ------------------------------------------------------------------ the channel
@dataclass
class Site:
    """One place a misreading can happen: a unit (``text`` its clean form) or a gap (``""``)."""

    text: str
    p: float        # probability of a misreading at scale 1
    cost: float     # expected edit distance of a misreading
    sample: Callable[[random.Random], str] | None
    group: str = "unit"  # or "gap"


@dataclass
class Channel:
    ref_chars: int = 0
    distance: int = 0
    ops: Counter = field(default_factory=Counter)
    syllable_n: Counter = field(default_factory=Counter)        # (syllable, final) → seen
    syllable_k: Counter = field(default_factory=Counter)        # (syllable, final) → misread
    syllable_emit: dict = field(default_factory=dict)           # syllable → Counter(emission)
    jamo_n: dict = field(default_factory=lambda: {"i": Counter(), "v": Counter(), "f": Counter()})
    jamo_k: dict = field(default_factory=lambda: {"i": Counter(), "v": Counter(), "f": Counter()})
    plain_n: int = 0      # syllable occurrences other than word-final particles
    plain_lost: int = 0   # ... of those deleted or read as something not Hangul
    error_kinds: Counter = field(default_factory=Counter)       # "sub" / "del" / "other"
    cross_emit: Counter = field(default_factory=Counter)        # a syllable read as non-Hangul
    jamo: dict = field(default_factory=lambda: {"i": {}, "v": {}, "f": {}})
    jamo_changes: Counter = field(default_factory=Counter)      # jamo changed per substitution
    particles: Counter = field(default_factory=Counter)         # (particle, emission)
    space_n: int = 0
    space_emit: Counter = field(default_factory=Counter)
    run_n: Counter = field(default_factory=Counter)
    run_emit: dict = field(default_factory=dict)
    latin_n: Counter = field(default_factory=Counter)
    latin_emit: dict = field(default_factory=dict)
    other_n: Counter = field(default_factory=Counter)
    other_emit: dict = field(default_factory=dict)
    gap_n: Counter = field(default_factory=Counter)
    gap_emit: dict = field(default_factory=dict)
    _sites: dict = field(default_factory=dict, repr=False, compare=False)

    # ---------------------------------------------------------------- learning
    @classmethod
    def learn(cls, pairs: Iterable[dict]) -> "Channel":
        ch = cls()
        aligned = []
        for pair in pairs:
            clean, noisy = norm(pair["clean"]), norm(pair["noisy"])
            ch.ref_chars += len(clean)
            ch.distance += Levenshtein.distance(clean, noisy)
            ch.ops.update(op_counts(clean, noisy))
            aligned.append((clean, *align(clean, noisy)))
        read = [read_units(clean, emit, inserted) for clean, emit, inserted in aligned]
        run_errors: Counter = Counter()  # which runs get a pattern table of their own
        for us, emissions, _ in read:
            for u, e in zip(us, emissions):
                run_errors[u.text] += u.kind == "latin" and e != u.text
        for (clean, emit, inserted), (us, emissions, gaps) in zip(aligned, read):
            for i, gap in enumerate(gaps):
                kind = gap_kind(us, i)
                ch.gap_n[kind] += 1
                if gap:
                    ch.gap_emit.setdefault(kind, Counter())[gap] += 1
            for u, e in zip(us, emissions):
                wrong = e != u.text
                if u.kind == "syllable":
                    ch._learn_syllable(u, e)
                elif u.kind == "space":
                    ch.space_n += 1
                    if wrong:
                        ch.space_emit[e] += 1
                elif u.kind == "latin" and run_errors[u.text] >= RUN_MIN_ERRORS:
                    ch.run_n[u.text] += 1
                    if wrong:
                        ch.run_emit.setdefault(u.text, Counter())[e] += 1
                elif u.kind == "latin":
                    for j, c in enumerate(u.text):
                        ch.latin_n[c] += 1
                        ej = e if len(u.text) == 1 else \
                            emit[u.start + j] + (inserted[u.start + j + 1] if j + 1 < len(u.text) else "")
                        if ej != c:
                            ch.latin_emit.setdefault(c, Counter())[ej] += 1
                else:
                    ch.other_n[u.text] += 1
                    if wrong:
                        ch.other_emit.setdefault(u.text, Counter())[e] += 1
        return ch

    def _learn_syllable(self, u: Unit, e: str) -> None:
        key = (u.text, u.final)
        self.syllable_n[key] += 1
        plain = not (u.final and u.text in PARTICLES)  # particles have counts enough of their own
        if plain:
            self.plain_n += 1
            substituted = len(e) == 1 and is_syllable(e)
            self.plain_lost += e != u.text and not substituted
            for pos, a, b in zip("ivf", split_jamo(u.text), split_jamo(e) if substituted else "   "):
                self.jamo_n[pos][a] += 1
                self.jamo_k[pos][a] += substituted and a != b
        if e == u.text:
            return
        self.syllable_k[key] += 1
        self.syllable_emit.setdefault(u.text, Counter())[e] += 1
        if e == "":
            self.error_kinds["del"] += 1
        elif len(e) == 1 and is_syllable(e):
            self.error_kinds["sub"] += 1
            if u.final and u.text in PARTICLES:
                self.particles[(u.text, e)] += 1
            changed = 0
            for pos, a, b in zip("ivf", split_jamo(u.text), split_jamo(e)):
                if a != b:
                    self.jamo[pos].setdefault(a, Counter())[b] += 1
                    changed += 1
            self.jamo_changes[changed] += 1
        else:
            self.error_kinds["other"] += 1
            self.cross_emit[e] += 1

    # ---------------------------------------------------------------- figures
    @property
    def cer(self) -> float:
        return self.distance / max(1, self.ref_chars)

    def rates(self) -> dict[str, float]:
        return {t: self.ops[t] / max(1, self.ref_chars) for t in OP_TYPES}

    def summary(self, top: int = 12) -> dict:
        subs = Counter({(s, e): n for s, table in self.syllable_emit.items()
                        for e, n in table.items() if len(e) == 1 and is_syllable(e)})
        latin = Counter({(r, e): n for r, table in self.run_emit.items() for e, n in table.items()})
        latin.update({(c, e): n for c, table in self.latin_emit.items() for e, n in table.items()})
        jamo = {pos: Counter({(a, b): n for a, t in tables.items() for b, n in t.items()})
                .most_common(top // 2) for pos, tables in self.jamo.items()}

        def pairs(counter: Counter) -> list:
            return [[a, b, n] for (a, b), n in counter.most_common(top)]
        return {
            "pairs_chars": self.ref_chars, "cer": round(self.cer, 4),
            "rates": {t: round(r, 4) for t, r in self.rates().items()},
            "syllable_error_rate": round(sum(self.syllable_k.values()) / max(1, sum(self.syllable_n.values())), 4),
            "jamo_prior_mean": round(self.mean_prior(), 4),
            "jamo_misread_rates": {pos: [[j or "∅", round(self.jamo_rate(pos, j), 3), self.jamo_n[pos][j]]
                                         for j in sorted(self.jamo_n[pos], key=lambda j: -self.jamo_rate(pos, j))
                                         if self.jamo_n[pos][j] >= 10][:top // 2]
                                   for pos in "ivf"},
            "syllable_pairs": pairs(subs),
            "particle_confusions": pairs(self.particles),
            "jamo_confusions": {pos: [[a or "∅", b or "∅", n] for (a, b), n in items]
                                for pos, items in jamo.items()},
            "latin_look_alikes": pairs(latin),
            "space_deletions_per_space": round(sum(self.space_emit.values()) / max(1, self.space_n), 4),
            "insertions_per_gap": {k: round(sum(self.gap_emit.get(k, Counter()).values()) / n, 4)
                                   for k, n in sorted(self.gap_n.items())},
        }

    # ---------------------------------------------------------------- corruption
    def sites(self, text: str) -> list[Site]:
        """Every unit and gap of ``text`` (normalised), in order, with its misreading model."""
        text = norm(text)
        if text not in self._sites:
            self._sites[text] = self._make_sites(text)
        return self._sites[text]

    @staticmethod
    def _class_rate(n: Counter | int, tables: dict) -> float:
        """Misreadings per unit of a class (``tables``: one Counter, or one per unit)."""
        total = sum(n.values()) if isinstance(n, Counter) else n
        values = tables.values()
        k = sum(values) if isinstance(tables, Counter) else sum(sum(t.values()) for t in values)
        return k / total if total else 0.0

    def _make_sites(self, text: str) -> list[Site]:
        us = units(text)
        out: list[Site] = []
        for i, u in enumerate(us + [None]):
            out.append(self._gap_site(gap_kind(us, i)))
            if u is None:
                break
            if u.kind == "syllable":
                out.append(self._syllable_site(u))
            elif u.kind == "space":
                out.append(self._table_site(" ", self.space_emit, self.space_n,
                                            self._class_rate(self.space_n, self.space_emit)))
            elif u.kind == "latin" and u.text in self.run_n:
                out.append(self._table_site(u.text, self.run_emit.get(u.text, Counter()),
                                            self.run_n[u.text], self._class_rate(self.run_n, self.run_emit)))
            elif u.kind == "latin":
                prior = self._class_rate(self.latin_n, self.latin_emit)
                out.extend(self._table_site(c, self.latin_emit.get(c, Counter()), self.latin_n[c], prior)
                           for c in u.text)
            else:
                prior = self._class_rate(self.other_n, self.other_emit)
                table = self.other_emit.get(u.text) or Counter({"": 1})
                k = sum(self.other_emit.get(u.text, Counter()).values())
                p = (k + SMOOTH_CLASS * prior) / (self.other_n[u.text] + SMOOTH_CLASS)
                out.append(Site(u.text, p, _mean_cost(table, u.text), lambda rng, t=table: _draw(t, rng)))
        return out

    def _gap_site(self, kind: str) -> Site:
        table = self.gap_emit.get(kind, Counter())
        n = self.gap_n[kind]
        p = sum(table.values()) / n if n else 0.0
        return Site("", p, _mean_cost(table, ""), (lambda rng: _draw(table, rng)) if table else None, "gap")

    @staticmethod
    def _table_site(text: str, table: Counter, n: int, prior: float) -> Site:
        k = sum(table.values())
        if not k:
            return Site(text, 0.0, 0.0, None)
        p = (k + SMOOTH_CLASS * prior) / (n + SMOOTH_CLASS)
        return Site(text, p, _mean_cost(table, text), lambda rng: _draw(table, rng))

    def _syllable_site(self, u: Unit) -> Site:
        key = (u.text, u.final)
        p = (self.syllable_k[key] + SMOOTH * self.syllable_prior(u.text)) / (self.syllable_n[key] + SMOOTH)
        own = self.syllable_emit.get(u.text, Counter())
        m = sum(own.values())
        w_own = m / (m + BACKOFF) if m else 0.0
        kinds = sum(self.error_kinds.values())
        cost_other = _mean_cost(self.cross_emit, u.text) if self.cross_emit else 1.0
        fallback = (1 - self.error_kinds["other"] / kinds) + self.error_kinds["other"] / kinds * cost_other \
            if kinds else 1.0
        cost = w_own * _mean_cost(own, u.text) + (1 - w_own) * fallback

        def sample(rng: random.Random) -> str:
            if m and rng.random() < w_own:
                return _draw(own, rng)
            kind = _draw(self.error_kinds, rng)
            if kind == "sub":
                swapped = self.jamo_substitute(u.text, rng)
                if swapped:
                    return swapped
                kind = "del"
            if kind == "other" and self.cross_emit:
                return _draw(self.cross_emit, rng)
            return ""
        return Site(u.text, p, cost, sample)

    def jamo_rate(self, pos: str, jamo: str) -> float:
        """How often a syllable with ``jamo`` at ``pos`` is read with another one there."""
        n, k = self.jamo_n[pos], self.jamo_k[pos]
        mean = sum(k.values()) / max(1, sum(n.values()))
        return (k[jamo] + SMOOTH_JAMO * mean) / (n[jamo] + SMOOTH_JAMO)

    def syllable_prior(self, syllable: str) -> float:
        """P(misread) of a syllable from its jamo alone: any of them confused, or the
        syllable lost (deleted, read as a symbol) at the rate of syllables in general."""
        keep = 1.0
        for pos, j in zip("ivf", split_jamo(syllable)):
            keep *= 1 - self.jamo_rate(pos, j)
        return 1 - keep + self.plain_lost / max(1, self.plain_n)

    def mean_prior(self) -> float:
        n = sum(self.syllable_n.values())
        return sum(c * self.syllable_prior(s) for (s, _), c in self.syllable_n.items()) / max(1, n)

    def jamo_substitute(self, syllable: str, rng: random.Random) -> str | None:
        """A syllable read with learned jamo confusions (``None``: none known for its jamo)."""
        parts = dict(zip("ivf", split_jamo(syllable)))
        options = {pos: self.jamo[pos][parts[pos]] for pos in "ivf" if self.jamo[pos].get(parts[pos])}
        if not options:
            return None
        want = min(_draw(self.jamo_changes, rng) if self.jamo_changes else 1, len(options))
        for _ in range(want):
            pos = _draw(Counter({p: sum(t.values()) for p, t in options.items()}), rng)
            parts[pos] = _draw(options.pop(pos), rng)
        return join_jamo(parts["i"], parts["v"], parts["f"])

    def expected_distance(self, text: str, scale: "float | dict[str, float]" = 1.0) -> float:
        return sum(scaled(s.p, _scale_of(scale, s)) * s.cost for s in self.sites(text) if s.sample)


#: site groups calibrated apart: misread characters, and insertions in the gaps (whose
#: number goes with the number of gaps and lines, not with the mix of syllables)
GROUPS = ("unit", "gap")


def _scale_of(scale: "float | dict[str, float]", site: Site) -> float:
    return scale.get(site.group, 1.0) if isinstance(scale, dict) else scale


def scaled(p: float, scale: float) -> float:
    """``p`` with its odds multiplied by ``scale``: about ``scale·p`` for small ``p``, and a
    site misread 70% of the time (을 as a particle) does not saturate when the rest rise."""
    return scale * p / (1 - p + scale * p) if p < 1 else (1.0 if scale > 0 else 0.0)


def corrupt(channel: Channel, text: str, seed: int | str, scale: "float | dict[str, float]" = 1.0) -> str:
    """``text`` misread by ``channel`` (every site's odds times ``scale``, one factor or one
    per :data:`GROUPS`), deterministically for ``seed``; ``scale=0`` returns the
    normalised text unchanged."""
    rng = random.Random(str(seed))
    out = []
    for site in channel.sites(text):
        hit = rng.random() < scaled(site.p, _scale_of(scale, site))
        out.append(site.sample(rng) if hit and site.sample else site.text)
    return norm("".join(out))


def calibrate(channel: Channel, texts: list[str], rate: float | None = None) -> dict[str, float]:
    """Per group, the scale at which the texts' expected edits per character are the dev
    pairs' (insertions, and everything else); ``rate`` scales both to that total CER."""
    chars = sum(len(norm(t)) for t in texts)
    inserted = channel.ops["space insertion"] + channel.ops["character insertion"]
    share = {"gap": inserted / max(1, channel.ref_chars),
             "unit": (channel.distance - inserted) / max(1, channel.ref_chars)}
    factor = 1.0 if rate is None else rate / max(1e-12, channel.cer)
    scale = {}
    for group in GROUPS:
        sites = [s for t in texts for s in channel.sites(t) if s.sample and s.group == group]
        target = share[group] * factor * chars
        if target <= 0 or not sites:
            scale[group] = 0.0
            continue
        expected = lambda k: sum(scaled(s.p, k) * s.cost for s in sites)  # noqa: E731
        lo, hi = 0.0, 1.0
        while expected(hi) < target and hi < 1e4:
            hi *= 2
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if expected(mid) < target else (lo, mid)
        scale[group] = (lo + hi) / 2
    return scale


# ------------------------------------------------------------------ clean source text
_MARKUP = re.compile(r"\*\*|__|`")
_BULLET = re.compile(r"^\s*(?:[-•*·▪]\s+)+")
_SENTENCE = re.compile(r"(?<=[.!?다])\s+")


def source_paragraphs(text: str, target: int = 300, min_len: int = 100, max_len: int = 400) -> list[str]:
    """Paragraphs of ``min_len``-``max_len`` characters from the Korean lines of ``text``:
    markup and bullets stripped, lines without three Hangul syllables, URLs and repeats
    dropped, consecutive lines joined until ``target`` characters."""
    lines, seen = [], set()
    for raw in text.splitlines():
        line = norm(_BULLET.sub("", _MARKUP.sub("", raw)))
        if len(_HANGUL.findall(line)) < 3 or "http" in line or "://" in line or line in seen:
            continue
        seen.add(line)
        if len(line) <= max_len:
            lines.append(line)
            continue
        piece = ""
        for sentence in _SENTENCE.split(line):
            if piece and len(piece) + 1 + len(sentence) > max_len:
                lines.append(piece)
                piece = ""
            piece = f"{piece} {sentence}".strip()
        if piece:
            lines.append(piece[:max_len])
    out, current = [], ""
    for line in lines:
        if current and len(current) + 1 + len(line) > max_len:
            out.append(current)
            current = ""
        current = f"{current} {line}".strip()
        if len(current) >= target:
            out.append(current)
            current = ""
    if current:
        if len(current) >= min_len:
            out.append(current)
        elif out and len(out[-1]) + 1 + len(current) <= max_len:
            out[-1] = f"{out[-1]} {current}"
    return [p for p in out if min_len <= len(p) <= max_len]


@dataclass
class SyntheticSet:
    sources: list[str]                 # clean paragraphs
    noisy: list[str]                   # corrupted copies, batch after batch
    origin: list[int]                  # source index of each corrupted copy
    batches: list[list[int]]           # indices into ``noisy`` per batch
    scale: dict

    @property
    def clean(self) -> list[str]:
        return [self.sources[i] for i in self.origin]


def build_set(channel: Channel, sources: list[str], paragraphs: int, seed: int,
              scale: "float | dict[str, float] | None" = None) -> SyntheticSet:
    scale = calibrate(channel, sources) if scale is None else scale
    noisy, origin, batches = [], [], []
    for b in range(math.ceil(paragraphs / max(1, len(sources)))):
        batch = []
        for i, text in enumerate(sources):
            batch.append(len(noisy))
            noisy.append(corrupt(channel, text, f"{seed}:{b}:{i}", scale))
            origin.append(i)
        batches.append(batch)
    return SyntheticSet(sources, noisy, origin, batches, scale)


# ------------------------------------------------------------------ scoring
class Cleaner:
    """``qbank clean`` on a list of lines: in process (the cli's steps) or through ``cmd``."""

    def __init__(self, cmd: str | None = None) -> None:
        self.cmd = cmd
        self.steps = None

    def __call__(self, lines: list[str]) -> list[str]:
        lines = [line.replace("\n", " ") for line in lines]
        return self._run_cmd(lines) if self.cmd else self._in_process(lines)

    def _in_process(self, lines: list[str]) -> list[str]:
        from extract.clean import clean_lines

        cleaned, _ = clean_lines(lines)
        if any(cleaned):
            if self.steps is None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    from extract.latin_correct import get_latin_corrector
                    from extract.ocr_correct import get_corrector

                    self.steps = (get_corrector(), get_latin_corrector())
            for step in self.steps:
                cleaned = [text for text, _ in step.correct_many(cleaned)]
        return cleaned

    def _run_cmd(self, lines: list[str]) -> list[str]:
        out = subprocess.run(self.cmd, shell=True, input="\n".join(lines) + "\n",
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            sys.exit(f"ocr_synthetic: `{self.cmd}` failed ({out.returncode}): {out.stderr[-2000:]}")
        got = out.stdout.split("\n")
        if got and got[-1] == "":
            got.pop()
        if len(got) != len(lines):
            sys.exit(f"ocr_synthetic: `{self.cmd}` gave {len(got)} lines for {len(lines)}")
        return got


KINDS = ("particle/ending", "other syllable", "Latin", "space/punctuation", "insertion")


def wrong_sites(clean: str, hyp: str) -> dict[tuple[str, int], str]:
    """The sites of ``clean`` that ``hyp`` gets wrong (units and gaps, as :meth:`Channel.sites`
    sees them), each with its kind (:data:`KINDS`)."""
    clean, hyp = norm(clean), norm(hyp)
    us, emissions, gaps = read_units(clean, *align(clean, hyp))
    out = {}
    for i, gap in enumerate(gaps):
        if gap:
            out[("gap", i)] = "insertion"
    for i, (u, e) in enumerate(zip(us, emissions)):
        if e != u.text:
            out[("unit", i)] = ("particle/ending" if u.kind == "syllable" and u.final and u.text in PARTICLES
                                else "other syllable" if u.kind == "syllable"
                                else "Latin" if u.kind == "latin" else "space/punctuation")
    return out


def kinds_removed(noisy: list[str], clean: list[str], fixed: list[str]) -> dict[str, list[int]]:
    """Per kind of error: [sites wrong in the noisy text, of those right after correction]."""
    out = {k: [0, 0] for k in KINDS}
    for n, c, f in zip(noisy, clean, fixed):
        after = wrong_sites(c, f)
        for site, kind in wrong_sites(c, n).items():
            out[kind][0] += 1
            out[kind][1] += site not in after
    return out


def score(noisy: list[str], clean: list[str], fixed: list[str], kept: list[str],
          groups: list[int] | None = None, seed: int = 0) -> dict:
    """``evaluate.py ocr``'s figures, plus a 90% bootstrap interval of errors removed over
    paragraphs (or over ``groups``: all paragraphs of a group are drawn together)."""
    ref = [len(norm(c)) for c in clean]
    before = [Levenshtein.distance(norm(n), norm(c)) for n, c in zip(noisy, clean)]
    after = [Levenshtein.distance(norm(f), norm(c)) for f, c in zip(fixed, clean)]
    harm = [Levenshtein.distance(norm(k), norm(c)) for k, c in zip(kept, clean)]
    chars = sum(ref)
    groups = list(range(len(clean))) if groups is None else groups
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    keys = sorted(members)
    rng = random.Random(seed)
    draws = []
    for _ in range(1000):
        idx = [i for _ in keys for i in members[rng.choice(keys)]]
        b = sum(before[i] for i in idx)
        draws.append(1 - sum(after[i] for i in idx) / max(1, b))
    draws.sort()
    return {
        "paragraphs": len(clean), "chars": chars,
        "cer_before": sum(before) / max(1, chars), "cer_after": sum(after) / max(1, chars),
        "errors_removed": 1 - sum(after) / max(1, sum(before)),
        "errors_removed_90": [draws[50], draws[949]],
        "cer_added_on_clean": sum(harm) / max(1, chars),
        "worse": sum(a > b for a, b in zip(after, before)),
        "clean_changed": len({g for g, h in zip(groups, harm) if h}),
        "by_kind": kinds_removed(noisy, clean, fixed),
        "changes_on_clean": sorted({f"{norm(c)[max(0, op.src_start - 6):op.src_end + 6]!r} -> "
                                    f"{norm(k)[max(0, op.dest_start - 6):op.dest_end + 6]!r}"
                                    for k, c in zip(kept, clean) if norm(k) != norm(c)
                                    for op in Levenshtein.opcodes(norm(c), norm(k)) if op.tag != "equal"}),
    }


def mix_adjusted(dev_kinds: dict, syn_kinds: dict) -> dict:
    """Site-level errors removed: the dev pairs', the synthetic set's, and the synthetic
    set's per-kind rates weighted by the dev pairs' mix of kinds (so the part of the gap
    that is only a different mix of errors drops out)."""
    total = lambda kinds: sum(n for n, _ in kinds.values())  # noqa: E731
    rate = lambda kinds: sum(r for _, r in kinds.values()) / max(1, total(kinds))  # noqa: E731
    weighted = sum(n / max(1, total(dev_kinds)) * (syn_kinds[k][1] / syn_kinds[k][0] if syn_kinds[k][0] else r / n)
                   for k, (n, r) in dev_kinds.items() if n)
    return {"dev": rate(dev_kinds), "synthetic": rate(syn_kinds), "synthetic_at_dev_mix": weighted}


def run(seed: int = 0, paragraphs: int = 600, cmd: str | None = None,
        pairs_path: Path = DEV_PAIRS, text_path: Path = CLEAN_TEXT, calibrated: bool = False) -> dict:
    t0 = time.perf_counter()
    pairs = read_pairs(pairs_path)
    channel = Channel.learn(pairs)
    sources = source_paragraphs(text_path.read_text(encoding="utf-8"))
    synth = build_set(channel, sources, paragraphs, seed, None if calibrated else {g: 1.0 for g in GROUPS})
    t_build = time.perf_counter() - t0

    cleaner = Cleaner(cmd)
    dev_noisy = [p["noisy"] for p in pairs]
    dev_clean = [p["clean"] for p in pairs]
    dev = score(dev_noisy, dev_clean, cleaner(dev_noisy), cleaner(dev_clean))
    fixed = [""] * len(synth.noisy)
    per_batch = []
    for batch in synth.batches:
        out = cleaner([synth.noisy[i] for i in batch])
        for i, text in zip(batch, out):
            fixed[i] = text
        before = sum(Levenshtein.distance(synth.noisy[i], synth.sources[synth.origin[i]]) for i in batch)
        after = sum(Levenshtein.distance(norm(fixed[i]), synth.sources[synth.origin[i]]) for i in batch)
        per_batch.append(1 - after / max(1, before))
    kept_sources = cleaner(synth.sources)
    syn = score(synth.noisy, synth.clean, fixed, [kept_sources[i] for i in synth.origin], synth.origin)
    syn["source_paragraphs"] = len(sources)
    syn["source_chars"] = sum(map(len, sources))
    syn["batches"] = len(synth.batches)
    syn["errors_removed_by_batch"] = [min(per_batch), max(per_batch)]
    syn["scale"] = synth.scale
    syn_ops: Counter = Counter()
    for n, c in zip(synth.noisy, synth.clean):
        syn_ops.update(op_counts(c, n))
    syn["rates"] = {t: syn_ops[t] / max(1, syn["chars"]) for t in OP_TYPES}
    return {
        "seed": seed, "channel": channel.summary(), "dev": dev, "synthetic": syn,
        "gap_points": 100 * (dev["errors_removed"] - syn["errors_removed"]),
        "sites": mix_adjusted(dev["by_kind"], syn["by_kind"]),
        "seconds": {"build": round(t_build, 2), "total": round(time.perf_counter() - t0, 2)},
    }


def _print(result: dict) -> None:
    ch, dev, syn = result["channel"], result["dev"], result["synthetic"]
    print(f"channel learned from {ch['pairs_chars']} reference characters of the dev pairs: CER {ch['cer']:.4f}")
    print(f"  {'edits per reference char':28} {'dev':>8} {'synthetic':>10}")
    for t, r in ch["rates"].items():
        print(f"  {t:28} {r:8.4f} {syn['rates'][t]:10.4f}")
    print(f"  syllables misread {ch['syllable_error_rate']:.4f}; predicted from their jamo alone "
          f"{ch['jamo_prior_mean']:.4f} (the prior of a syllable the dev pairs seldom show)")
    fmt = lambda rows: ", ".join(f"{a}→{(b or '∅').replace(' ', '␣')} {n}" for a, b, n in rows)  # noqa: E731
    print(f"  particle confusions: {fmt(ch['particle_confusions'])}")
    print(f"  syllable pairs:      {fmt(ch['syllable_pairs'])}")
    for pos, name in (("i", "initial"), ("v", "vowel"), ("f", "final")):
        print(f"  jamo {name:8} {fmt(ch['jamo_confusions'][pos])}")
    print(f"  Latin look-alikes:   {fmt(ch['latin_look_alikes'])}")
    print("  insertions per gap:  " + ", ".join(f"{k} {v:.4f}" for k, v in ch["insertions_per_gap"].items()))
    print()
    print(f"synthetic set: {syn['source_paragraphs']} clean paragraphs ({syn['source_chars']} chars) of "
          f"{CLEAN_TEXT.name}, {syn['batches']} corrupted copies each (seed {result['seed']}, "
          f"odds scaled by {syn['scale']['unit']:.2f} for characters, {syn['scale']['gap']:.2f} for gaps)")
    print()
    rows = [
        ("paragraphs", f"{dev['paragraphs']}", f"{syn['paragraphs']}", ""),
        ("reference characters", f"{dev['chars']}", f"{syn['chars']}", ""),
        ("CER before", f"{dev['cer_before']:.4f}", f"{syn['cer_before']:.4f}", ""),
        ("CER after", f"{dev['cer_after']:.4f}", f"{syn['cer_after']:.4f}", ""),
        ("errors removed", f"{dev['errors_removed']:.3f}", f"{syn['errors_removed']:.3f}",
         f"{result['gap_points']:+.1f} pts"),
        ("  90% interval", "{:.3f}-{:.3f}".format(*dev["errors_removed_90"]),
         "{:.3f}-{:.3f}".format(*syn["errors_removed_90"]), ""),
        ("  range over batches", "", "{:.3f}-{:.3f}".format(*syn["errors_removed_by_batch"]), ""),
        ("CER added on clean", f"{dev['cer_added_on_clean']:.4f}", f"{syn['cer_added_on_clean']:.4f}", ""),
        ("paragraphs made worse", f"{dev['worse']}/{dev['paragraphs']}", f"{syn['worse']}/{syn['paragraphs']}", ""),
    ]
    print(f"{'':24} {'dev pairs':>12} {'synthetic':>12} {'gap':>10}")
    for name, a, b, c in rows:
        print(f"{name:24} {a:>12} {b:>12} {c:>10}")
    print()
    print(f"{'errors by kind (sites)':24} {'dev':>6} {'removed':>8} {'synthetic':>10} {'removed':>8}")
    for kind in KINDS:
        (dn, dr), (sn, sr) = dev["by_kind"][kind], syn["by_kind"][kind]
        print(f"{kind:24} {dn:6} {dr / dn if dn else 0:8.3f} {sn:10} {sr / sn if sn else 0:8.3f}")
    sites = result["sites"]
    print(f"{'all sites':24} {'':6} {sites['dev']:8.3f} {'':10} {sites['synthetic']:8.3f}"
          f"   at the dev mix of kinds: {sites['synthetic_at_dev_mix']:.3f}")
    if syn["changes_on_clean"]:
        print(f"changes to clean synthetic paragraphs ({syn['clean_changed']} of {syn['source_paragraphs']} sources): "
              + "; ".join(syn["changes_on_clean"][:6]))
    print(f"run time {result['seconds']['total']:.1f} s")
    print(f"SCORE ocr_synthetic_errors_removed {syn['errors_removed']:.3f}")
    print(f"SCORE ocr_generalization_gap_points {result['gap_points']:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--paragraphs", type=int, default=600,
                        help="corrupted paragraphs, rounded up to whole batches (default 600)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    parser.add_argument("--cmd", help='pipe each batch through this command (e.g. "qbank clean") '
                                      "instead of running the cleaner in process")
    parser.add_argument("--pairs", type=Path, default=DEV_PAIRS)
    parser.add_argument("--text", type=Path, default=CLEAN_TEXT, help="clean Korean source text")
    parser.add_argument("--calibrated", action="store_true",
                        help="stress test: scale the learned odds so that the set's CER is the "
                             "dev pairs' (about twice the odds on every non-particle character)")
    parser.add_argument("--write", type=Path, help="also write the synthetic pairs as JSONL "
                                                   "(noisy/clean/split, as evaluate.py reads); outside the repo")
    args = parser.parse_args(argv)
    for path in (args.pairs, args.text):
        if not path.exists():
            parser.error(f"{path} not found")
    if args.paragraphs < 1:
        parser.error("--paragraphs must be at least 1")
    result = run(args.seed, args.paragraphs, args.cmd, args.pairs, args.text, args.calibrated)
    if args.write:
        channel = Channel.learn(read_pairs(args.pairs))
        synth = build_set(channel, source_paragraphs(args.text.read_text(encoding="utf-8")),
                          args.paragraphs, args.seed, None if args.calibrated else {g: 1.0 for g in GROUPS})
        with args.write.open("w", encoding="utf-8") as f:
            for i, (n, c) in enumerate(zip(synth.noisy, synth.clean)):
                f.write(json.dumps({"id": f"syn_{i}", "noisy": n, "clean": c, "split": "synthetic"},
                                   ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        _print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
