"""Korean OCR correction: a noisy channel with kiwipiepy as the language model.

Candidates come from a table of OCR confusions kept as data (``data/ocr_ko.json``:
particles, syllables, jamo, as families seen across the whole book). kiwipiepy's
``TypoTransformer`` turns them into typo variants of its dictionary entries, so its own
tokenizer weighs "a known word read with a confusion" against "an odd string read as is"
with a real Korean lexicon and language model. A domain lexicon of AWS/ML terms is added
as user words (the right spellings never occur in this OCR, so the book cannot teach
them). A few context rules (``Al``/``시`` → ``AI``, a dropped final ㅂ verified by kiwi's
score) cover what morpheme-level typos cannot express.

Never touched: English words, code and identifiers, URLs, numbers with units (the
``protect`` pattern), and anything outside a Hangul syllable. Every edit is returned as an
:class:`Edit` (position, before, after, reason, cost) for the audit output.

kiwipiepy is heavy (about 1 s to load, 2 s to build the typo dictionary, 0.5 GB), so it is
imported on first use only, once per process.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from extract.rules import load_rules

RULES = "ocr_ko"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_ONLY = re.compile(r"^[\uac00-\ud7a3]+$")
_WORD = re.compile(r"\S+")
#: kiwi's score must improve by at least this much for a verified rule edit.
VERIFY_MARGIN = 1.0


@dataclass(frozen=True)
class Edit:
    """One change made to a text: where (in the text it was applied to), what, why."""

    start: int
    before: str
    after: str
    reason: str
    cost: float

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "before": self.before, "after": self.after,
                "reason": self.reason, "cost": self.cost}


class KoreanCorrector:
    """Load once, then :meth:`correct_many` over any number of texts."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from kiwipiepy import Kiwi, TypoDefinition, TypoTransformer

        rules = load_rules(RULES)
        self.kiwi = Kiwi()
        for word in rules["domain_lexicon"]:
            if " " not in word:
                self.kiwi.add_user_word(word, "NNG", 0.0)
        self.typos = TypoTransformer([TypoDefinition(orig, errors, cost)
                                      for orig, errors, cost in rules["typos"]])
        self.threshold = float(rules["threshold"])
        self.protect = re.compile(rules["protect"])
        self.rules = [dict(rule, regex=re.compile(rule["pattern"])) for rule in rules["rules"]]

    # ------------------------------------------------------------------ public
    def correct(self, text: str) -> tuple[str, list[Edit]]:
        return self.correct_many([text])[0]

    def correct_many(self, texts: Iterable[str]) -> list[tuple[str, list[Edit]]]:
        texts = [unicodedata.normalize("NFC", t) for t in texts]
        todo = [i for i, t in enumerate(texts) if _HANGUL.search(t)]
        results: list[tuple[str, list[Edit]]] = [(t, []) for t in texts]
        if not todo:
            return results
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokenized = self.kiwi.tokenize([texts[i] for i in todo], typos=self.typos,
                                           typo_cost_threshold=self.threshold)
            for index, tokens in zip(todo, tokenized):
                text, edits = self._apply_typos(texts[index], tokens)
                text, more = self._apply_rules(text)
                results[index] = (text, edits + more)
        return results

    # ------------------------------------------------------------------ typo layer
    def _apply_typos(self, text: str, tokens: list) -> tuple[str, list[Edit]]:
        """Replace the words holding tokens kiwi read as typos (most texts hold none)."""
        typo_starts = [t.start for t in tokens if t.typo_cost > 0]
        if not typo_starts:
            return text, []
        protected = [m.span() for m in self.protect.finditer(text)]
        pieces: list[str] = []
        edits: list[Edit] = []
        last = 0
        done: set[int] = set()
        for position in typo_starts:
            start = text.rfind(" ", 0, position) + 1
            if start in done:
                continue
            done.add(start)
            end = text.find(" ", position)
            end = len(text) if end < 0 else end
            if start < last or any(s < end and start < e for s, e in protected):
                continue
            word_tokens = [t for t in tokens if start <= t.start < end]
            word = text[start:end]
            new = self._rewrite_word(word, start, word_tokens)
            if new is None or new == word:
                continue
            cost = sum(t.typo_cost for t in word_tokens)
            pieces.append(text[last:start])
            pieces.append(new)
            edits.append(Edit(start, word, new, "ocr-confusion", round(cost, 3)))
            last = end
        pieces.append(text[last:])
        return "".join(pieces), edits

    def _rewrite_word(self, word: str, offset: int, tokens: list) -> str | None:
        """The corrected word: typo tokens whose form covers their own span replace it in
        place (keeps the writer's choice of allomorph and any Latin prefix); otherwise a
        Hangul-only word is re-joined by kiwi."""
        chars = list(word)
        in_place = True
        starts = [t.start for t in tokens]
        for token in tokens:
            if token.typo_cost <= 0:
                continue
            lo, hi = token.start - offset, token.start - offset + token.len
            raw = word[lo:hi]
            shares_syllable = starts.count(token.start) > 1 or any(
                t is not token and token.start <= t.start < token.start + token.len for t in tokens)
            if (len(token.form) == token.len and _HANGUL_ONLY.match(token.form)
                    and _HANGUL_ONLY.match(raw) and not shares_syllable):
                chars[lo:hi] = list(token.form)
            else:
                in_place = False
        if in_place:
            return "".join(chars)
        core = word.rstrip(".,:;!?)]'\"")
        if not _HANGUL_ONLY.match(core.lstrip("(['\"")):
            return None  # mixed script: never re-joined
        joined = self.kiwi.join(tokens)
        return joined if _HANGUL.search(joined) else None

    # ------------------------------------------------------------------ rule layer
    def _apply_rules(self, text: str) -> tuple[str, list[Edit]]:
        edits: list[Edit] = []
        for rule in self.rules:
            text, more = self._apply_rule(rule, text)
            edits.extend(more)
        return text, edits

    def _apply_rule(self, rule: dict, text: str) -> tuple[str, list[Edit]]:
        protected = [m.span() for m in self.protect.finditer(text)]
        out: list[str] = []
        edits: list[Edit] = []
        last = 0
        for match in rule["regex"].finditer(text):
            if any(s < match.end() and match.start() < e for s, e in protected):
                continue
            replacement = self._replacement(rule, match, text)
            if replacement is None:
                continue
            out.append(text[last: match.start()])
            out.append(replacement)
            edits.append(Edit(match.start(), match.group(), replacement, rule["reason"], 1.0))
            last = match.end()
        out.append(text[last:])
        return "".join(out), edits

    def _replacement(self, rule: dict, match: re.Match[str], text: str) -> str | None:
        if "replace" in rule:
            return rule["replace"]
        syllable = match.group("syl")
        if rule.get("needs_open_syllable") and _final(syllable) != 0:
            return None
        candidate = _with_final(syllable, rule["jamo_final"])
        if rule.get("verify"):
            word_start = text.rfind(" ", 0, match.start()) + 1
            word_end = text.find(" ", match.end())
            word_end = len(text) if word_end < 0 else word_end
            before = text[word_start:word_end]
            after = before[: match.start() - word_start] + candidate + before[match.end() - word_start:]
            if self._score(after) < self._score(before) + VERIFY_MARGIN:
                return None
        return candidate

    def _score(self, text: str) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.kiwi.analyze(text, top_n=1)[0][1]


# ------------------------------------------------------------------ jamo helpers
_FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
           "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]


def _final(syllable: str) -> int:
    return (ord(syllable) - 0xAC00) % 28


def _with_final(syllable: str, final: str) -> str:
    code = ord(syllable) - 0xAC00
    return chr(0xAC00 + code - code % 28 + _FINALS.index(final))


@lru_cache(maxsize=1)
def get_corrector() -> KoreanCorrector:
    """The process-wide corrector (kiwipiepy loads once, on first use)."""
    return KoreanCorrector()
