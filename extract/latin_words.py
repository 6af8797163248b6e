"""The Latin corrector's words: the AWS/ML terms of ``data/latin_terms.json`` (written from
general AWS/ML vocabulary) and wordfreq's English lists, and how a term is written."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from extract.rules import load_rules

RULES = "latin_terms"
#: wordfreq's small English list (rank order): known words, never touched
COMMON_ENGLISH = 30_000
#: the most frequent of them can also be the target of a correction
TARGET_ENGLISH = 25_000


@dataclass(frozen=True)
class Target:
    """A word a token may be corrected to."""

    form: str        # as it is written (its case pattern, for an imposed-case term)
    impose: bool     # does the term impose its case pattern (SageMaker), or follow the token's
    domain: bool     # from the AWS/ML lexicon (else a common English word)
    glued: bool = False  # the space-less form of a multiword name (AmazonS3 → Amazon S3)


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
