"""Exam domains: which domain and task statement of MLS-C01 and MLA-C01 a question is about.

The task statements are data (``data/exam_domains.json``): for each task, a profile of
concepts from the tag lexicon (``data/concepts.json``), weighted 1 (what the task is
about) or 0.5 (what it touches). A question's evidence is the concepts it mentions, cue
words included (``deploy``, ``encrypt``, ``ingest`` say a lot about the task and nothing
as a tag), each weighted by where it is (:data:`FIELD_WEIGHTS` in :mod:`qbank.enrich`:
the stem and the right answer count most, a distractor little). Then, per exam:

* a task scores ``sum(evidence[c] * profile[c] * idf(c))`` over the concepts both name,
  ``idf(c) = ln(1 + tasks / tasks naming c)``: ``Amazon S3`` is in four MLS tasks and
  says less than ``confusion matrix``, which is in one;
* a domain scores as its best task (a sum would favour MLS domain 3, five tasks);
* the answer is the best domain, its ``score`` the domain's share of all domains' scores
  (0-1), and its best task, or ``null`` when two tasks of the domain tie.

No domain is given for an exam when the best domain's evidence is below
:data:`MIN_EVIDENCE` (about one concept that only a few tasks name: question 311 of the
DevOps dump, how long OpsWorks waits for an instance, names no concept of either guide;
question 134, a DynamoDB table design, only a service that two tasks touch) or its
share is below :data:`MIN_SHARE` (the evidence is spread over the whole exam). Leaving
the field empty beats a guess a quiz app would show as fact.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extract.rules import load_rules

RULES = "exam_domains"
#: below this absolute score of the best domain, no domain (see the module docstring)
MIN_EVIDENCE = 1.5
#: below this share of all domains' scores, no domain
MIN_SHARE = 0.4


@dataclass(frozen=True)
class Task:
    exam: str
    domain: int
    task: str
    title: str
    profile: dict[str, float]


class ExamGuides:
    def __init__(self) -> None:
        rules = load_rules(RULES)["exams"]
        self.exams: dict[str, list[Task]] = {}
        self.weights: dict[str, dict[int, float]] = {}
        self.titles: dict[str, dict[int, str]] = {}
        self.idf: dict[str, dict[str, float]] = {}
        for exam, guide in sorted(rules.items()):
            tasks = [Task(exam, d["domain"], t["task"], t["title"], dict(t["profile"]))
                     for d in guide["domains"] for t in d["tasks"]]
            self.exams[exam] = tasks
            self.weights[exam] = {d["domain"]: float(d["weight"]) for d in guide["domains"]}
            self.titles[exam] = {d["domain"]: d["title"] for d in guide["domains"]}
            df: dict[str, int] = {}
            for task in tasks:
                for concept in task.profile:
                    df[concept] = df.get(concept, 0) + 1
            self.idf[exam] = {c: math.log(1 + len(tasks) / n) for c, n in df.items()}

    def concepts(self) -> set[str]:
        return {c for tasks in self.exams.values() for t in tasks for c in t.profile}

    def classify(self, evidence: dict[str, float]) -> list[dict[str, Any]]:
        """``[{"exam", "domain", "task", "score"}]``, one per exam with enough evidence,
        sorted by exam."""
        found = []
        for exam, tasks in self.exams.items():
            idf = self.idf[exam]
            scores = [(sum(evidence.get(c, 0.0) * w * idf[c] for c, w in t.profile.items()), t) for t in tasks]
            by_domain: dict[int, list[tuple[float, Task]]] = {}
            for score, task in scores:
                by_domain.setdefault(task.domain, []).append((score, task))
            best = {d: max(s for s, _ in items) for d, items in by_domain.items()}
            total = sum(best.values())
            domain = min(best, key=lambda d: (-best[d], d))
            if best[domain] < MIN_EVIDENCE or best[domain] / total < MIN_SHARE:
                continue
            ranked = sorted(by_domain[domain], key=lambda item: (-item[0], item[1].task))
            task = ranked[0][1].task
            if len(ranked) > 1 and math.isclose(ranked[0][0], ranked[1][0], rel_tol=1e-9):
                task = None
            found.append({"exam": exam, "domain": domain, "task": task,
                          "score": round(best[domain] / total, 3)})
        return found


@lru_cache(maxsize=1)
def get_guides() -> ExamGuides:
    return ExamGuides()
