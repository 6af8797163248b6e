"""Two-column knowledge checks put back in reading order.

On a two-column slide the stem sits on the left and the options on the right, one per row.
The OCR reads the page row by row, so one line of text interleaves both columns, in page
order (guide p. 232)::

    의료 기관에서 과거의 의료 | 기록올 토대로 환자의 재입원 | 순한 신경망 | 위험성올 …
    규청은 순수하러면 모델의 결과틀 | 괜} 포레스트 | 해석할 수 있어야 합니다 | 로치스리 회기 |
    이러인 상황에 … 무엇입나까? | 합성급 신경망

Every question is read twice — on its question page and again on its answer page, where a
correctness mark ``(정답)`` stands before one option — and the two readings shuffle the
same rows differently (p. 234 splits option B over two rows, p. 235 reads it whole). The
answer page also names the options: the stated answer (``정답은 C 로지스틱 회귀입니다``)
and the rationales (``오답: A 심층 신경망은 …``).

:func:`deinterleave` finds, in each reading, the token runs that are the options: the
options stand in page order, the last one follows the stem's ``?``, and a run is scored by
how closely its jamo match the name the answer page gives its label; a label without a
name takes the run of bare noun phrases (options are noun phrases, the stem's words carry
particles and endings) left between its neighbours. The reading whose runs score best gives the stem (the tokens
left); each option's tokens grow by what the other reading's run covers next to them, and
where the readings hold different words at one place the language model chooses
(:func:`extract.readings.choose_words`). Choices and scores are returned for the audit;
a reconstruction resting on unnamed runs is ``uncertain``.

Runs and names are compared in :mod:`extract.option_names`; the explanation lines the
same row-by-row reading moved are put back by :mod:`extract.explanation_lines`.
"""
from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field

from extract.hangul import jamo_similarity
from extract.option_names import name_similarity
from extract.readings import choose_words
from extract.rules import load_rules

#: Longest option run, in tokens, looked for inside a reading.
SPAN_MAX_TOKENS = 9
#: Jamo similarity from which a run counts as the option its label's name describes
#: (``로치스리 회기`` ~ ``로지스틱 회귀`` 0.74; ``순한 신경망`` ~ ``심층 신경망`` 0.55).
NAME_MIN = 0.5
#: Weight of name similarity against the bare-noun prior of a run.
NAME_WEIGHT = 4.0
#: Prior of a run per bare (particle-free) token, and the cost of a token with a particle
#: or an ending inside a run no name supports.
BARE_TOKEN = 0.15
INFLECTED_TOKEN = -0.6
#: Share of the bare-noun prior a named run gets: enough to take the words a short name
#: leaves out (``IAM`` for ``AWS Identity and Access Management(AWS IAM)``), too little to
#: swallow the stem word next to it.
NAMED_PRIOR_SHARE = 0.5
#: A run right after the answer page's correctness mark, for the stated label.
MARK_BONUS = 1.0
_BARE_TAGS = ("NN", "SL", "SN", "SH", "SS", "SW", "SO", "SP", "XSN", "XPN", "XR", "MAJ", "W_")
_QUESTION_END = re.compile(r"[?？](?=\s|$)")


@dataclass(frozen=True)
class Run:
    """Tokens ``[start, end)`` of a reading taken as the option ``label``."""

    label: str
    start: int
    end: int
    text: str
    score: float
    support: str  # "name", "tail" (after the stem's "?"), "mark" or "noun-run"


@dataclass
class Reading:
    """One reading of a two-column question: its tokens and the runs found in it."""

    name: str
    tokens: list[str]
    runs: list[Run] = field(default_factory=list)
    score: float = float("-inf")

    @property
    def stem(self) -> str:
        return stem_of(self.tokens, {i for run in self.runs for i in range(run.start, run.end)})


def stem_of(tokens: list[str], taken: set[int]) -> str:
    """The tokens no option took, up to the stem's last ``?``, without the column header."""
    stem_end = next((i + 1 for i in range(len(tokens) - 1, -1, -1)
                     if _QUESTION_END.search(tokens[i])), len(tokens))
    return " ".join(t for i, t in enumerate(tokens) if i not in taken and t != HEADER and i < stem_end)


@dataclass
class Deinterleaved:
    stem: str
    options: list[tuple[str, str]]
    uncertain: bool
    audit: dict
    #: the stems the other readings leave, for a word-by-word merge
    other_stems: list[str] = field(default_factory=list)


def bare_tokens(tokens: list[str]) -> list[bool]:
    """Per token: does it read as a bare noun phrase piece (no particle, no ending)?"""
    text = " ".join(tokens)
    starts, offset = [], 0
    for token in tokens:
        starts.append(offset)
        offset += len(token) + 1
    bare = [True] * len(tokens)
    from extract.ocr_correct import get_corrector

    corrector = get_corrector()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # with the OCR's typo model: "결과틀" is 결과 + 를, not a noun
        morphemes = corrector.kiwi.tokenize(text, typos=corrector.typos,
                                            typo_cost_threshold=corrector.threshold)
    conjunctions = frozenset(load_rules("guide_questions")["noun_phrase_conjunctions"])
    pieces: list[list] = [[] for _ in tokens]
    index = 0
    for morpheme in morphemes:
        while index + 1 < len(starts) and morpheme.start >= starts[index + 1]:
            index += 1
        pieces[index].append(morpheme)
    for index, word in enumerate(pieces):
        for position, morpheme in enumerate(word):
            if morpheme.form in conjunctions or morpheme.tag.startswith(_BARE_TAGS):
                continue
            # "주성분" read as 주/MM + 성분: a determiner inside a word starts a compound
            if morpheme.tag == "MM" and position + 1 < len(word):
                continue
            bare[index] = False
        # a bound noun standing alone ("확인할 수 있어야") belongs to a verb phrase
        if len(word) == 1 and word[0].tag == "NNB":
            bare[index] = False
    return bare


def _run_score(text: str, names: list[str], bare: list[bool]) -> tuple[float, str]:
    """A run's score: name similarity where a name matches it, else the bare-noun prior."""
    prior = sum(BARE_TOKEN if b else INFLECTED_TOKEN for b in bare)
    best = max((name_similarity(text, name) for name in names), default=0.0)
    if best >= NAME_MIN:
        return NAME_WEIGHT * (best - NAME_MIN) + 0.5 + NAMED_PRIOR_SHARE * prior, "name"
    return prior, "noun-run"


#: Marks a column header (``보기 옵션``) in a reading's tokens: the options column starts
#: on the row below it, so no run starts before one stem token after it.
HEADER = "\x01"
#: Cost of a token after the stem's ``?`` that no run takes (watermark debris such as
#: ``JP`` or ``COI`` costs nothing: short and without Hangul).
TAIL_LEFT_OVER = -0.8
#: What the OCR makes of a slide's icons: one to three characters, none of them Hangul
#: (``0``, ``@``, ``CO``, ``CO%``, ``JP``).
ICON_DEBRIS = r"[^\uac00-\ud7a3\s]{1,3}"
_DEBRIS = re.compile(rf"^{ICON_DEBRIS}$")


def _icon_debris(run: list[str]) -> bool:
    """Does a Hangul run end in what the OCR makes of an icon (``합성급 신경망 JP``)?"""
    return bool(_DEBRIS.match(run[-1])) and any(_HANGUL.search(t) for t in run[:-1])


_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _left_over(tokens: list[str], start: int, stop: int) -> float:
    return sum(0.0 if _DEBRIS.match(t) else TAIL_LEFT_OVER for t in tokens[start:stop])


def find_runs(tokens: list[str], labels: list[str], names: dict[str, list[str]],
              mark_at: int | None = None, mark_label: str | None = None) -> tuple[list[Run], float]:
    """The best runs, one per label, in page order, by dynamic programming.

    The layout's constraints: runs do not overlap and follow label order; before the
    stem's last ``?`` two runs are parted by at least one stem token (each row starts with
    its stem fragment), and the first run starts a row below the column header; after the
    ``?`` only options remain, so runs may touch and every token left over costs.
    """
    if not labels or not tokens:
        return [], float("-inf")
    header = tokens.index(HEADER) if HEADER in tokens else None
    first_start = header + 2 if header is not None else 0
    bare = bare_tokens(tokens)
    n = len(tokens)
    tail = next((i + 1 for i in range(n - 1, -1, -1) if _QUESTION_END.search(tokens[i])), n)
    neg = float("-inf")
    # ends[k][e]: best score with the k-th run ending at token e (k = 0: nothing placed)
    ends = [[neg] * (n + 1) for _ in range(len(labels) + 1)]
    back: dict[tuple[int, int], tuple[int, int, float, str]] = {}
    ends[0][0] = 0.0
    for k, label in enumerate(labels, 1):
        for start in range(n):
            if tokens[start] == HEADER or (k == 1 and start < first_start):
                continue
            previous = neg, -1
            for e in range(0, start + 1):
                if ends[k - 1][e] == neg or (k > 1 and start < tail and e >= start):
                    continue
                value = ends[k - 1][e] + (_left_over(tokens, max(e, tail), start) if start >= tail else 0.0)
                if value > previous[0]:
                    previous = value, e
            if previous[0] == neg:
                continue
            for stop in range(start + 1, min(n, start + SPAN_MAX_TOKENS) + 1):
                if HEADER in tokens[start:stop] or (start < tail < stop):
                    break
                if stop - start > 1 and _icon_debris(tokens[start:stop]):
                    continue
                text = " ".join(tokens[start:stop])
                score, support = _run_score(text, names.get(label, []), bare[start:stop])
                if mark_at is not None and label == mark_label and start == mark_at:
                    score, support = score + MARK_BONUS, "mark"
                if start >= tail and support == "noun-run":
                    score, support = max(score, 0.5), "tail"
                if previous[0] + score > ends[k][stop]:
                    ends[k][stop] = previous[0] + score
                    back[(k, stop)] = (previous[1], start, score, support)
    last = len(labels)
    total, stop = max(((ends[last][e] + _left_over(tokens, max(e, tail), n), e)
                       for e in range(n + 1) if ends[last][e] != neg), default=(neg, -1))
    if total == neg:
        return [], neg
    runs: list[Run] = []
    for k in range(last, 0, -1):
        previous, start, score, support = back[(k, stop)]
        runs.append(Run(labels[k - 1], start, stop, " ".join(tokens[start:stop]), score, support))
        stop = previous
    runs.reverse()
    return runs, total


#: Jamo similarity from which two words at one place of two readings are one word read
#: twice (``적답성``/``적합성``; ``배치``/``학습률`` are two words).
MISREAD_MIN = 0.5


def token_map(tokens: list[str], other: list[str]) -> dict[int, int]:
    """Positions of ``other`` mapped onto ``tokens``: words equal in order, and words
    in between where both readings hold as many (the same words misread differently)."""
    matcher = difflib.SequenceMatcher(a=tokens, b=other, autojunk=False)
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            mapping.update({j1 + k: i1 + k for k in range(j2 - j1)})
        elif tag == "replace" and i2 - i1 == j2 - j1:
            # only a word and its misreading: rows read in another order put other words
            # side by side too
            mapping.update({j1 + k: i1 + k for k in range(j2 - j1)
                            if jamo_similarity(tokens[i1 + k], other[j1 + k]) >= MISREAD_MIN})
    return mapping


def _option_spans(chosen: Reading, maps: list[tuple[Reading, dict[int, int]]],
                  names: dict[str, list[str]]) -> dict[str, list[int]]:
    """Each option's tokens in the chosen reading, grown by what another reading's run for
    the same option covers next to it (p. 268 reads option A whole where p. 269, the
    chosen reading, leaves its first and last words in the stem). A named option grows
    only when the grown text matches its name at least as well."""
    def fit(label: str, span: set[int]) -> float:
        text = " ".join(chosen.tokens[i] for i in sorted(span))
        return max((name_similarity(text, name) for name in names.get(label, [])), default=0.0)

    own = {run.label: set(range(run.start, run.end)) for run in chosen.runs}
    for reading, mapping in maps:
        for run in reading.runs:
            if run.label not in own:
                continue
            mapped = {mapping[j] for j in range(run.start, run.end) if j in mapping}
            span = own[run.label]
            if not mapped or min(mapped) > max(span) + 1 or max(mapped) < min(span) - 1:
                continue  # the readings disagree on where this option is
            grown = set(range(min(span | mapped), max(span | mapped) + 1))
            others = {i for label, s in own.items() if label != run.label for i in s}
            if (not grown & others and HEADER not in [chosen.tokens[i] for i in grown]
                    and fit(run.label, grown) >= fit(run.label, span)):
                own[run.label] = grown
    return {label: sorted(span) for label, span in own.items()}


def _other_words(chosen: Reading, maps: list[tuple[Reading, dict[int, int]]],
                 span: list[int]) -> list[tuple[int, str]]:
    """(position in the span, the other reading's word there) for the span's words."""
    variants = []
    for reading, mapping in maps:
        inverse = {i: j for j, i in mapping.items()}
        variants += [(k, reading.tokens[inverse[i]]) for k, i in enumerate(span)
                     if i in inverse and reading.tokens[inverse[i]] != chosen.tokens[i]]
    return variants


def _run_quality(run: Run) -> float:
    """How well a run reads as its option, the mark's bonus aside (the mark says which
    option is right, not which reading read it better)."""
    return run.score - (MARK_BONUS if run.support == "mark" else 0.0)


def deinterleave(readings: dict[str, tuple[list[str], int | None]], labels: list[str],
                 names: dict[str, list[str]], mark_label: str | None = None) -> Deinterleaved:
    """Options (for ``labels``) and stem from the readings of one two-column question.

    ``readings`` maps a reading's name (``question``, ``answer``) to its tokens and the
    index of the token a correctness mark stood before (or ``None``).
    """
    found: list[Reading] = []
    for reading_name, (tokens, mark_at) in readings.items():
        runs, score = find_runs(tokens, labels, names, mark_at, mark_label)
        found.append(Reading(reading_name, tokens, runs, score))
    chosen = max(found, key=lambda r: r.score)
    by_label = {run.label: run for run in chosen.runs}
    maps = [(r, token_map(chosen.tokens, r.tokens)) for r in found if r is not chosen]
    spans, options, sources = _option_spans(chosen, maps, names), [], {}
    for label in labels:
        span = spans.get(label)
        if span:
            words = [chosen.tokens[i] for i in span]
            variants = _other_words(chosen, maps, span)
            text, _choices = choose_words(words, variants)
            sources[label] = chosen.name
        else:
            # only another reading found this option
            runs = sorted((run for reading in found for run in reading.runs if run.label == label),
                          key=lambda run: -_run_quality(run))
            text = runs[0].text if runs else ""
            if runs:
                sources[label] = next(r.name for r in found if runs[0] in r.runs)
        options.append((label, text))
    stem = stem_of(chosen.tokens, {i for span in spans.values() for i in span})
    # a run no name supports is a guess; so is the split of the text after the stem's "?"
    # between several options none of which is named
    unnamed_tail = sum(1 for run in chosen.runs if run.support == "tail")
    uncertain = unnamed_tail > 1 or any(label not in by_label or by_label[label].support == "noun-run"
                                        for label in labels)
    audit = {
        "reading": chosen.name,
        "score": round(chosen.score, 3),
        "scores": {r.name: round(r.score, 3) for r in found},
        "tokens": [("[column header]" if t == HEADER else t) for t in chosen.tokens],
        "runs": [{"label": r.label, "tokens": [r.start, r.end], "text": r.text,
                  "support": r.support, "score": round(r.score, 3)} for r in chosen.runs],
        "stem": stem,
        "options_read_from": sources,
    }
    others = [r.stem for r in found if r is not chosen and r.runs]
    return Deinterleaved(stem, options, uncertain, audit, others)
