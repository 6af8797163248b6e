"""Answer signals and the answer decided from them: one module for every extractor.

A document says which option is right in many ways at once — a stated ``Answer: B``, a
letter in parentheses after the stem, a filled circled digit or a ``[CORRECT]`` tag on
the option, GIFT weights, an answer key at the end, the option formatted differently
from its siblings, a crowd's votes. Every signal is kept (``answer_signals``); the answer
is decided by a stated rule and disagreement is flagged, never hidden.

* Exam files (:func:`decide`): the first signal present in :data:`SIGNAL_ORDER` (what the
  document states beats what it only shows, and both beat the crowd), else the
  community's largest share (flagged ``answer_from_community``).
* Course-book knowledge checks (:func:`resolve_votes`): the OCR'd page states the answer,
  marks it and names the wrong ones, each unreliable; a weighted vote decides.
"""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from extract.rules import compiled, load_rules
from ingest.document import EMPHASIS, PARTIAL

#: Exam-file signals in the order they decide the answer.
SIGNAL_ORDER = ("given", "inline", "marked", "gift", "prose", "key", "formatting", "most_voted")
#: Course-book vote weights: stated answer, correctness mark, complement of the 오답 list.
WEIGHT_STATED = 2.0
WEIGHT_MARKED = 1.5
WEIGHT_COMPLEMENT = 1.0


def decide(signals: dict[str, list[str]]) -> tuple[list[str], set[str]]:
    """The answer by the stated rule, and the flags the decision itself raises."""
    answer = next((signals[name] for name in SIGNAL_ORDER if signals.get(name)), [])
    if not answer and signals.get("community"):
        return community_choice(signals["community"]), {"answer_from_community"}
    return list(answer), set()


def community_choice(votes: list[str]) -> list[str]:
    """The letters of the largest share in ``["C (71%)", "A (29%)"]``."""
    top = max(votes, key=lambda vote: int(re.search(r"(\d+)%", vote).group(1)))
    return sorted(set(re.findall(r"[A-Z]", top.split()[0].upper())))


def formatting_signal(option_marks: list[frozenset[str]]) -> list[int]:
    """Positions of the options formatted differently from their siblings: for each kind
    of emphasis (whole option first, then part of it), the options that carry it when
    some but not all do. A document that highlights everything marks nothing by it."""
    n = len(option_marks)
    if n < 2:
        return []
    for kinds in (EMPHASIS, tuple(PARTIAL[m] for m in EMPHASIS)):
        for mark in kinds:
            having = [i for i, marks in enumerate(option_marks) if mark in marks]
            if 0 < len(having) < n:
                return having
    return []


def answer_flags(answer: list[str], labels: list[str], expected: int | None,
                 signals: dict[str, list[str]]) -> set[str]:
    """Doubts about a decided answer, as flags."""
    flags: set[str] = set()
    if not answer:
        flags.add("answer_missing")
    if labels and labels != [chr(ord("A") + i) for i in range(len(labels))]:
        flags.add("option_gap")
    if any(a not in labels for a in answer) and labels:
        flags.add("answer_not_in_options")
    if expected is not None and answer and len(answer) != expected:
        flags.add("answer_count_mismatch")
    stated = [sorted(signals[n]) for n in SIGNAL_ORDER if signals.get(n)]
    if any(s != stated[0] for s in stated[1:]):
        flags.add("answer_signals_conflict")
    if signals.get("community") and answer and community_choice(signals["community"]) != sorted(answer):
        flags.add("community_disagrees")
    return flags


def resolve_votes(stated: list[str], marked: list[str], complement: list[str],
                   expected: int, labels: list[str]) -> tuple[list[str], list[str]]:
    """Vote: stated answers weigh most, marks next, the complement of 오답 least.

    Returns (answer, flags). The top ``expected`` labels with votes win.
    """
    votes = {label: 0.0 for label in labels}
    for weight, signal in ((WEIGHT_STATED, stated), (WEIGHT_MARKED, marked),
                           (WEIGHT_COMPLEMENT, complement)):
        for label in signal:
            if label in votes:
                votes[label] += weight
    ranked = sorted((label for label in labels if votes[label] > 0),
                    key=lambda label: (-votes[label], label))
    answer = sorted(ranked[:expected])
    flags: list[str] = []
    if not answer:
        return [], ["answer_missing"]
    if len(ranked) > expected and votes[ranked[expected]] == votes[ranked[expected - 1]]:
        flags.append("answer_ambiguous")
    supported = set(stated) | set(marked)
    if any(label not in answer for label in supported if label in votes):
        flags.append("answer_signals_conflict")
    if not set(answer) & supported:
        flags.append("answer_inferred_from_rationale")
    if len(answer) < expected:
        flags.append("answer_count_mismatch")
    return answer, flags


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def match_option_text(value: str, options: list[tuple[str, str]], min_ratio: float) -> list[str]:
    """An answer given as an option's text: the option it names (fuzzily), if one clearly."""
    if not options:
        return []
    target = _norm(value)
    scored = sorted(((fuzz.ratio(target, _norm(text)), label) for label, text in options), reverse=True)
    best, label = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    return [label] if best >= min_ratio and best > runner_up else []


def choose_phrase(text: str) -> re.Match[str] | None:
    """The "choose N" phrase of a stem (``(3개 선택)``, ``(Choose two.)``, ``Welche
    beiden``): one pattern for every extractor, in ``data/choose_count.json``."""
    return compiled("choose_count", "pattern").search(text)


def expected_count(text: str) -> int | None:
    """How many answers ``text`` asks for (None: it does not say, or only "several")."""
    match = choose_phrase(text)
    if not match:
        return None
    word = next(g for g in match.groups() if g)
    if word in load_rules("choose_count")["several"]:
        return None
    return int(word) if word.isdigit() else load_rules("choose_count")["words"].get(word.lower())
