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
from bisect import bisect_right
from copy import copy
import unicodedata
import warnings
from functools import lru_cache
from typing import Iterable

from extract.document_words import DocumentWords, Leftover
from extract.edits import Edit
from extract.lexicon_snap import LexiconSnapper, SnapCosts
from extract.ocr_rules import RuleLayer
from extract.real_words import _NOUN_TAGS, RealWordSwaps
from extract.rules import load_rules
from extract.stem_snaps import _CLOSING, _HANGUL_ONLY, StemSnaps, _known_piece

__all__ = ["Edit", "KoreanCorrector", "domain_lexicon", "get_corrector", "release_corrector"]

RULES = "ocr_ko"
DOMAIN = "domain_ko"
GENERAL = "general_ko"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD = re.compile(r"\S+")
#: tags that make up a noun stem (kiwi splits a garbled noun into such pieces)
_STEM_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "MM", "IC", "XPN", "XSN", "MAG"})
#: log-probability units one unit of typo cost is worth in kiwi's search (kiwi's default
#: is 6). At 4, a misread word that the sentence makes likely wins over a rare reading of
#: it (마케팅 전락 → 전략) on the dev pairs and on the synthetic set alike; at 3 and below
#: correct text starts to change (bench/ocr_synthetic.py, "CER added on clean").
TYPO_COST_WEIGHT = 6.0
#: kiwi's beam in the typo passes only (``cutoff_threshold``: an analysis scoring this far
#: below the best at a position is dropped; kiwi's default is 8). Typo variants multiply
#: the analyses at every position, so the beam is most of a typo pass's cost: at 6.5 the
#: correction of the guide takes 0.91 of its time at 8, the dev pairs and the synthetic
#: set (three seeds) score the same, and the guide's text gains five right fixes
#: (실습에서논 -> 실습에서는, 불루 -> 블루). At 6 three right fixes are lost (Wrangler눈,
#: 중음, 암도록 stay); at 4, forty words change.
TYPO_CUTOFF = 6.5
#: words each of the corrector's word caches keeps (kiwi's scores, known stems, snapped words)
WORD_CACHE = 65536


class KoreanCorrector(StemSnaps, RealWordSwaps):
    """Load once, then :meth:`correct_many` over any number of texts."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from kiwipiepy import Kiwi, TypoDefinition, TypoTransformer

        rules = load_rules(RULES)
        # Neither the multi-word dictionary (WikiData names: 180 MB and 1.4 s to load, and a
        # typo token matched to one of its entries was re-joined as the whole entry, so
        # '자언어 처리' became '자연어 처리 처리') nor the default one (Wikipedia/Namuwiki
        # proper nouns: 75 MB; the few technical words it held, 디버그, 콜백, 프록시, are
        # in the domain lexicon's software group). Kiwi's own lexicon and LM do the work.
        self.kiwi = Kiwi(load_multi_dict=False, load_default_dict=False)
        self.kiwi.global_config.typo_cost_weight = TYPO_COST_WEIGHT
        lexicon = domain_lexicon()
        for word in self._unknown_words(lexicon):
            self.kiwi.add_user_word(word, "NNG", 0.0)
        snap = rules["snap"]
        self.particle_starts = frozenset(snap["particle_starts"])
        #: what a particle's first syllable may be read as (을 -> 올, 를 -> 트, 는 -> 논)
        self.particle_reads = self.particle_starts | {
            reading[0] for correct, readings, _cost in rules["typos"]
            if correct[0][:1] in self.particle_starts for reading in readings if reading}
        self.snapper = LexiconSnapper(lexicon, snap["jamo_groups"], SnapCosts(**snap["costs"]))
        self.jamo_groups = snap["jamo_groups"]
        self.general = LexiconSnapper(load_rules(GENERAL)["words"], self.jamo_groups,
                                      SnapCosts(**{**snap["costs"], **snap["general_costs"]}))
        self.document_costs = SnapCosts(**{**snap["costs"], **snap["document_costs"]})
        self.typos = TypoTransformer([TypoDefinition(orig, errors, cost)
                                      for orig, errors, cost in rules["typos"]])
        self.threshold = float(rules["threshold"])
        self.typo_config = copy(self.kiwi.global_config)
        self.typo_config.cutoff_threshold = TYPO_CUTOFF
        self.protect = re.compile(rules["protect"])
        # The word caches belong to the instance: on the class, an lru_cache is keyed by
        # (and holds) every instance, so a released corrector kept Kiwi's 300 MB alive
        for name in ("_score", "_is_known", "correct_word"):
            setattr(self, name, lru_cache(maxsize=WORD_CACHE)(getattr(self, name)))
        self.rules = RuleLayer(rules["rules"], self.protect, self._score)

    def _unknown_words(self, words: list[str]) -> list[str]:
        """Lexicon words kiwi reads as out-of-vocabulary or as several pieces (only those
        become user words: re-adding a word kiwi knows would override its own weight)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            analyses = self.kiwi.tokenize(words)
        return [w for w, tokens in zip(words, analyses) if len(tokens) != 1 or tokens[0].oov]

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
            # kiwi tokenizes ahead in its own threads while the words are rewritten here:
            # the tokens are kept only for the texts a document-wide swap may still change
            tokenized = self.kiwi.tokenize([texts[i] for i in todo], typos=self.typos,
                                           typo_cost_threshold=self.threshold,
                                           override_config=self.typo_config)
            swaps: dict[str, str] = {}
            typed, kept = [], {}
            document = DocumentWords()
            for n, (index, tokens) in enumerate(zip(todo, tokenized)):
                declined: set[str] = set()
                leftovers: list[Leftover] = []
                typed.append(self._apply_typos(texts[index], tokens, swaps, declined=declined,
                                               printed=document.printed, leftovers=leftovers))
                document.keep(n, leftovers)
                if declined:
                    kept[n] = (tokens, declined)
            agreed = {form: target for form, target in swaps.items() if target}
            for n, index in enumerate(todo):
                if n in kept and not kept[n][1].isdisjoint(agreed):  # a swap not made here yet
                    leftovers = []
                    typed[n] = self._apply_typos(texts[index], kept[n][0], agreed=agreed,
                                                 leftovers=leftovers)
                    document.keep(n, leftovers)
            self._snap_leftovers(document, typed)
            for n, index in enumerate(todo):
                text, more = self.rules.apply(typed[n][0])
                results[index] = (text, typed[n][1] + more)
        return results

    # ------------------------------------------------------------------ typo layer
    def _apply_typos(self, text: str, tokens: list, swaps: dict[str, str] | None = None,
                     agreed: dict[str, str] | None = None,
                     declined: set[str] | None = None, printed: list[str] | None = None,
                     leftovers: list[Leftover] | None = None) -> tuple[str, list[Edit]]:
        """Rewrite the words holding a typo token or a suspect noun stem (most hold none).
        ``swaps`` hears of the real-word swaps made (:meth:`_real_word`), ``declined`` of
        the words that had a swap their sentence did not make; ``agreed`` are swaps the
        document made elsewhere. ``printed`` hears of the known nouns printed,
        ``leftovers`` of the stems no lexicon placed (:mod:`extract.document_words`)."""
        spans = [m.span() for m in _WORD.finditer(text)]
        protected: list[tuple[int, int]] | None = None
        pieces: list[str] = []
        edits: list[Edit] = []
        last = 0
        for index, word_tokens, has_typo, stem in _words(tokens, spans):
            if printed is not None and len(stem) == 1 and stem[0].tag in _NOUN_TAGS:
                noun = stem[0]
                if noun.len > 1 and not noun.oov:
                    printed.append(noun.form)
            real_word = (self._real_word(text, spans, index, stem, swaps, agreed, declined)
                         if len(stem) == 1 and (self.snapper.look_alikes(stem[0].form)
                                                or agreed and stem[0].form in agreed) else None)
            if not has_typo and real_word is None and not self._suspect_stem(stem):
                continue
            start, end = spans[index]
            if protected is None:
                protected = [m.span() for m in self.protect.finditer(text)]
            if any(s < end and start < e for s, e in protected):
                continue
            word = text[start:end]
            if real_word is not None:  # what follows the stem goes through the typo layer
                new = self.correct_word(real_word) if has_typo else real_word
                pieces += [text[last:start], new]
                edits.append(Edit(start, word, new, "real-word", 0.5))
                last = end
                continue
            snapped = (self._snap_word(word, start, stem, lambda: self._window(text, spans, index))
                       if stem and not all(map(_known_piece, stem)) else None)
            if snapped is not None and has_typo and not self._snap_beats_typos(
                    snapped[0], word, start, word_tokens):
                snapped = None
            if snapped is not None:
                new, cost, reason = snapped
            elif has_typo:
                new = self._rewrite_word(word, start, word_tokens)
                cost, reason = sum(t.typo_cost for t in word_tokens), "ocr-confusion"
            else:
                if leftovers is not None and len(stem) == 1 and stem[0].oov:
                    lo = stem[0].start - start
                    leftovers.append(Leftover(
                        start, word, lo, lo + stem[0].len, self._window(text, spans, index)))
                continue
            if new is None or new == word:
                continue
            pieces.append(text[last:start])
            pieces.append(new)
            edits.append(Edit(start, word, new, reason, round(cost, 3)))
            last = end
        pieces.append(text[last:])
        return "".join(pieces), edits

    def _snap_beats_typos(self, snapped: str, word: str, offset: int, tokens: list) -> bool:
        """Does kiwi score the lexicon snap above the word as the typo layer reads it? A
        misread particle is no garbled noun: ``예름`` is 예를 (를 read as 름), not 요금."""
        rewritten = self._rewrite_word(word, offset, tokens)
        return rewritten is None or self._score(snapped) > self._score(rewritten)

    def correct_word(self, word: str) -> str:
        """One word through the typo layer (used after a snap changed its stem; the same
        snapped words recur through a document, so the answer is kept)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokens = self.kiwi.tokenize(word, typos=self.typos, typo_cost_threshold=self.threshold,
                                        override_config=self.typo_config)
        if not any(t.typo_cost > 0 for t in tokens):
            return word
        return self._rewrite_word(word, 0, tokens) or word

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
        core = word.rstrip(_CLOSING)
        if not _HANGUL_ONLY.match(core.lstrip("(['\"")):
            return None  # mixed script: never re-joined
        joined = self.kiwi.join(tokens)
        return joined if _HANGUL.search(joined) else None

    def _score(self, text: str) -> float:
        """kiwi's log-probability of the best analysis of ``text`` (one word, mostly)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.kiwi.analyze(text, top_n=1)[0][1]


_LAST = float("inf")


def _words(tokens: Iterable, spans: list[tuple[int, int]]) -> list[tuple[int, list, bool, list]]:
    """Per whitespace word (its index in ``spans``): its tokens, whether one of them is a
    typo, and its stem run, in one pass over kiwi's tokens (they come in text order; every
    word is looked at, and most hold nothing to correct).

    The stem run is the word's leading tokens that can belong to a noun stem, read as
    printed, after what opens the word: a bracket, a quote, Latin letters or digits
    (``(애플리켓이선``, ``AWS(애플리켓이선``: the stem is what follows)."""
    words: list[tuple[int, list, bool, list]] = []
    index, ends = -1, -1
    current: list = []
    stem: list = []
    typo = False
    stemming = opening = True
    for token in tokens:
        if token.start >= ends:
            if current:
                words.append((index, current, typo, stem))
            index = bisect_right(spans, (token.start, _LAST)) - 1
            ends = spans[index][1]
            current, stem, typo = [], [], False
            stemming = opening = True
        current.append(token)
        if token.typo_cost > 0:
            typo = True
            stemming = False
        elif stemming:
            tag = token.tag
            if opening and tag[0] == "S":
                continue
            opening = False
            if tag in _STEM_TAGS:
                stem.append(token)
            else:
                stemming = False
    if current:
        words.append((index, current, typo, stem))
    return words


def domain_lexicon() -> list[str]:
    """The AWS/ML vocabulary of ``data/domain_ko.json``, in file order, without repeats."""
    groups = load_rules(DOMAIN)["terms"].values()
    return list(dict.fromkeys(word for group in groups for word in group))


@lru_cache(maxsize=1)
def get_corrector() -> KoreanCorrector:
    """The process-wide corrector (kiwipiepy loads once, on first use)."""
    return KoreanCorrector()


def release_corrector() -> None:
    """Let the process-wide corrector go (kiwipiepy's model and typo dictionary, about
    300 MB). A build calls it once every source is read: what comes after (enrichment,
    writing) needs no Korean model, and the guide's build peaked there at Kiwi + spaCy +
    the records. A later :func:`get_corrector` loads it again."""
    import gc

    if get_corrector.cache_info().currsize == 0:
        return
    get_corrector.cache_clear()
    gc.collect()  # the instance's word caches refer back to it
    try:  # hand the freed C++ heap back to the system (glibc; elsewhere a no-op)
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
