"""The Korean corrector's rule layer: context rules kept as data (``rules`` of
``data/ocr_ko.json``) for what kiwi's morpheme-level typos cannot express: ``Al``/``시``
read for ``AI``, a final consonant the OCR dropped (포함되니다), endings read as other
syllables (살펴움니다, 보켓습니다), vowel harmony after kiwi's re-join. Runs after the typo
layer of :class:`extract.ocr_correct.KoreanCorrector`, on its output; protected spans
(code, URLs, numbers with units) are never touched. A rule marked ``verify`` keeps an
edit only when kiwi scores the word better with it. A rule may list ``needs``: strings of
which every match holds one, so a text holding none skips the pattern (most texts hold
no ``Al``, ``켓`` or ``으로씨``).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from extract.edits import Edit
from extract.hangul import BASE, FINALS, SYLLABLES, final_index, vowel, with_final

#: kiwi's score must improve by at least this much for a verified rule edit.
VERIFY_MARGIN = 1.0


class RuleLayer:
    """The rules of the data file, compiled once; ``score`` is kiwi's log-probability of a
    word (the corrector's cached one)."""

    def __init__(self, rules: list[dict], protect: re.Pattern[str], score: Callable[[str], float]) -> None:
        self.rules = [dict(rule, regex=re.compile(_narrowed(rule))) for rule in rules]
        self.protect = protect
        self._score = score

    def apply(self, text: str) -> tuple[str, list[Edit]]:
        """``text`` through every rule, in the data file's order, and the edits made."""
        edits: list[Edit] = []
        for rule in self.rules:
            if "needs" in rule and not any(literal in text for literal in rule["needs"]):
                continue  # none of the strings every match holds: no need to run the pattern
            text, more = self._apply_rule(rule, text)
            edits.extend(more)
        return text, edits

    def _apply_rule(self, rule: dict, text: str) -> tuple[str, list[Edit]]:
        matches = list(rule["regex"].finditer(text))
        if not matches:
            return text, []
        protected = [m.span() for m in self.protect.finditer(text)]
        out: list[str] = []
        edits: list[Edit] = []
        last = 0
        for match in matches:
            if any(s < match.end() and match.start() < e for s, e in protected):
                continue
            replacement = self._replacement(rule, match, text)
            if replacement is None or replacement == match.group():
                continue
            out.append(text[last: match.start()])
            out.append(replacement)
            edits.append(Edit(match.start(), match.group(), replacement, rule["reason"], 1.0))
            last = match.end()
        out.append(text[last:])
        return "".join(out), edits

    def _replacement(self, rule: dict, match: re.Match[str], text: str) -> str | None:
        """What one rule match becomes, or None to leave it.

        Rule kinds (see ``rules`` in the data file): ``replace`` is a literal; ``jamo_final``
        puts a final consonant on the ``syl`` group (one without a final with
        ``needs_open_syllable``, one ending in ``needs_final`` with that); ``harmony`` turns a past-tense 었 into
        았 after a bright (ㅏ/ㅗ) stem vowel. With ``verify`` kiwi's score of the word must
        improve by :data:`VERIFY_MARGIN`."""
        if "replace" in rule:
            candidate = match.expand(rule["replace"])
        elif "harmony" in rule:
            if vowel(match.group("syl")) not in rule["harmony"]:
                return None
            candidate = match.group("syl") + rule["after"]
        else:
            syllable = match.group("syl")
            if rule.get("needs_open_syllable") and final_index(syllable) != 0:
                return None
            if "needs_final" in rule and final_index(syllable) != FINALS.index(rule["needs_final"]):
                return None
            candidate = with_final(syllable, rule["jamo_final"])
        if rule.get("verify") and not self._improves(text, match, candidate):
            return None
        return candidate

    def _improves(self, text: str, match: re.Match[str], candidate: str) -> bool:
        """Does kiwi score the word holding ``match`` better with ``candidate``?"""
        word_start = text.rfind(" ", 0, match.start()) + 1
        word_end = text.find(" ", match.end())
        word_end = len(text) if word_end < 0 else word_end
        before = text[word_start:word_end]
        after = before[: match.start() - word_start] + candidate + before[match.end() - word_start:]
        return self._score(after) >= self._score(before) + VERIFY_MARGIN


def _narrowed(rule: dict) -> str:
    """A rule's pattern with its ``syl`` group narrowed to the syllables the rule takes
    (``needs_open_syllable``: no final; ``needs_closed_syllable``: any final;
    ``needs_final``: that final): the ending rules' patterns otherwise stop at every 니다
    and 습니다 of a text to look at the syllable."""
    pattern = rule["pattern"]
    if "needs_final" in rule:
        finals = [FINALS.index(rule["needs_final"])]
    elif rule.get("needs_open_syllable"):
        finals = [0]
    elif rule.get("needs_closed_syllable"):
        finals = list(range(1, 28))
    else:
        return pattern
    syllables = "".join(chr(BASE + code) for code in range(SYLLABLES) if code % 28 in finals)
    return pattern.replace("(?P<syl>[가-힣])", f"(?P<syl>[{syllables}])")
