"""Enrichment of the final records: ``tags``, exam ``domains`` and ``related`` knowledge.

Runs in :func:`qbank.pipeline.build` after extraction, cross-source merging and renaming
(an id a ``related`` entry names must be the id written), before the records are
serialised. A pure function of the records: the same corpus gives the same bytes.

Where a concept is mentioned counts (:data:`FIELD_WEIGHTS`): the stem and the right
answer say what a question is about, a distractor names what it is not
(``Which service labels data with human workers?`` offers Polly, Lex and Glue besides
the answer), an explanation often both. So a question's ``tags`` are the tag concepts of
its stem and right answer (every option when the answer is unknown, or for a matching
question, whose options are all answered), the most specific only (:func:`specific`), at
most :data:`MAX_TAGS`, the best evidenced first; the domain evidence and the related-units query use every field, weighted.
Translations count as the field they translate (once: the best of the languages).

Heavy state (spaCy, the matcher, the exam guides) loads once per process, on first use;
a build without records loads nothing.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any

FIELD_WEIGHTS = {"stem": 1.0, "answer": 1.0, "option": 0.3, "explanation": 0.5}
MAX_TAGS = 5
PLATFORMS = frozenset({"Amazon SageMaker"})


def _question_fields(q: dict[str, Any]) -> list[dict[str, list[str]]]:
    """Per language version, field -> texts."""
    answered = {a.split("=", 1)[0] for a in q.get("answer") or []}
    all_answer = not answered or q.get("kind") == "matching"
    versions = []
    for version in [q] + [t for _, t in sorted((q.get("translations") or {}).items())]:
        fields: dict[str, list[str]] = {"stem": [version.get("stem") or ""], "answer": [], "option": [],
                                        "explanation": []}
        for option in version.get("options") or []:
            fields["answer" if all_answer or option.get("label") in answered else "option"].append(option.get("text") or "")
        if version is q:
            fields["answer"].extend(q.get("match_targets") or [])
            fields["explanation"].append(q.get("explanation") or "")
            fields["explanation"].extend(r.get("text") or "" for r in q.get("rationales") or [])
        elif version.get("explanation"):
            fields["explanation"].append(version["explanation"])
        versions.append(fields)
    return versions


def question_evidence(tagger: Any, q: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
    """(concept -> weighted evidence, tag concepts of stem and answer, most salient first)."""
    best: dict[tuple[str, str], float] = {}
    salience: Counter = Counter()
    first: dict[str, tuple[int, int, int]] = {}
    for version_index, fields in enumerate(_question_fields(q)):
        for field, texts in fields.items():
            for text_index, text in enumerate(texts):
                for concept, where in tagger.mentions(text).items():
                    key = (concept, field)
                    best[key] = FIELD_WEIGHTS[field]
                    if field in ("stem", "answer") and tagger.lexicon.is_tag(concept):
                        salience[concept] += len(where)
                        place = (0 if field == "stem" else 1, version_index, text_index * 10000 + where[0])
                        first[concept] = min(first.get(concept, place), place)
    evidence: dict[str, float] = {}
    for (concept, _field), weight in sorted(best.items()):
        evidence[concept] = evidence.get(concept, 0.0) + weight
    ranked = sorted(specific(salience), key=lambda c: (-evidence[c], -salience[c], first[c], c))
    return evidence, ranked[:MAX_TAGS]


def specific(tags: Any) -> list[str]:
    """Tags without the platform when one of its features is named (``Amazon SageMaker``
    beside ``Amazon SageMaker Clarify``: "Which SageMaker feature detects bias?" is
    about Clarify). Only for SageMaker, whose features are all "SageMaker X": ``Amazon
    EC2`` beside ``Amazon EC2 Auto Scaling`` names the instances, another thing."""
    tags = list(tags)
    return [t for t in tags if t not in PLATFORMS or not any(o.startswith(t + " ") for o in tags)]


#: the thread loading the heavy state ahead of :func:`enrich` (None: not started)
_warming: threading.Thread | None = None


def warm_up_in_background() -> None:
    """Load the heavy state (spaCy and the matcher, the exam guides) in a thread of this
    process, for an :func:`enrich` to come. For a parallel build, whose driver waits
    while its workers read: done after the reads, spaCy's import alone cost it 0.4 s
    with both cores idle but one. The thread holds :data:`qbank.executors.FORK_LOCK`:
    a worker forked meanwhile (a pool replacing a dead worker) waits for it. A failure
    is left to :func:`enrich` to meet again and report."""
    global _warming
    if _warming is not None:
        return

    def load() -> None:
        from qbank.executors import FORK_LOCK

        with FORK_LOCK:
            try:
                from extract.domains import get_guides
                from extract.tags import get_tagger

                get_tagger()
                get_guides()
            except Exception:  # noqa: BLE001 (enrich raises it, in the build's thread)
                pass

    _warming = threading.Thread(target=load, name="qbank-enrich-warm-up", daemon=True)
    _warming.start()


def enrich(questions: list[dict[str, Any]], knowledge: list[dict[str, Any]]) -> None:
    """Add ``tags`` to every record, ``domains`` and ``related`` to every question (in
    place; the key order puts them before a question's ``flags``, after a unit's ``lang``)."""
    if not questions and not knowledge:
        return
    if _warming is not None:
        _warming.join()  # the loaders' caches are not made for two threads at once
    from extract.domains import get_guides
    from extract.related import CONCEPT_WEIGHT, NOT_TEACHING, KnowledgeIndex, concept_tokens, own_pages, tokens
    from extract.tags import get_tagger

    tagger = get_tagger()
    candidates, candidate_tokens = [], []
    for unit in knowledge:
        text = "\n".join(t for t in (unit.get("title"), unit.get("text")) if t)
        found = tagger.count(text)
        unit["tags"] = sorted(specific(c for c in found if tagger.lexicon.is_tag(c)))
        if unit.get("kind") not in NOT_TEACHING:
            candidates.append(unit)
            counts = tokens(text)
            counts.update(concept_tokens(dict(found)))
            candidate_tokens.append(counts)
    index = KnowledgeIndex(candidates, candidate_tokens)
    guides = get_guides()
    for q in questions:
        evidence, tags = question_evidence(tagger, q)
        query: Counter = Counter()
        for fields in _question_fields(q):
            for texts in fields.values():
                for text in texts:
                    query.update(tokens(text))
        query.update(concept_tokens({c: CONCEPT_WEIGHT * w for c, w in evidence.items()}))
        flags = q.pop("flags")
        q["tags"] = sorted(tags)
        q["domains"] = guides.classify(evidence)
        q["related"] = index.search(query, own_pages(q))
        q["flags"] = flags


def enrich_cached(questions: list[dict[str, Any]], knowledge: list[dict[str, Any]], cache: Any) -> None:
    """:func:`enrich`, or its fields from the build cache (:class:`qbank.cache.SourceCache`)
    when the same records were enriched before by the same code, rules and libraries: the
    enrichment is a function of the whole corpus (related units, rare-word weights), so its
    key is a hash of every record. An unchanged rebuild then loads no spaCy (it cost an
    unchanged guide rebuild 0.9 s, four times the rest of it)."""
    if cache is None:
        enrich(questions, knowledge)
        return
    import hashlib
    import json

    from qbank.cache_key import code_fingerprint, library_versions, rules_fingerprint

    text = json.dumps([questions, knowledge], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    key = {"kind": "enrichment", "code": code_fingerprint(), "rules": rules_fingerprint(),
           "libraries": library_versions(),
           "records": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()}
    found = cache.load_blob(key)
    if _apply(found, questions, knowledge):
        return
    enrich(questions, knowledge)
    cache.store_blob(key, {"questions": [[q["tags"], q["domains"], q["related"]] for q in questions],
                           "knowledge": [u["tags"] for u in knowledge]})


def _apply(found: Any, questions: list[dict[str, Any]], knowledge: list[dict[str, Any]]) -> bool:
    """Put cached enrichment fields on the records; False (records untouched) when the
    data is not of their shape."""
    if not (isinstance(found, dict) and isinstance(found.get("questions"), list)
            and isinstance(found.get("knowledge"), list) and len(found["questions"]) == len(questions)
            and len(found["knowledge"]) == len(knowledge)
            and all(isinstance(f, list) and len(f) == 3 for f in found["questions"])):
        return False
    for unit, tags in zip(knowledge, found["knowledge"]):
        unit["tags"] = tags
    for q, (tags, domains, related) in zip(questions, found["questions"]):
        flags = q.pop("flags")
        q["tags"], q["domains"], q["related"] = tags, domains, related
        q["flags"] = flags
    return True
