"""The typed question an exam-file extractor produces (before it becomes a record)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ExamQuestion:
    """One exam-file question; field names follow :class:`GuideQuestion` so one record
    builder serves both (a dump has no modules or topics)."""

    number: int
    lang: str
    stem: str
    options: list[tuple[str, str]]
    answer: list[str]
    explanation: str | None
    pages: list[int]
    answer_signals: dict[str, list[str]] = field(default_factory=dict)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    expected_count: int | None = None
    module: None = None
    module_title: None = None
    topic: None = None
    rationales: list[tuple[str, str]] = field(default_factory=list)
    match_targets: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "multi" if len(self.answer) > 1 or (self.expected_count or 1) > 1 else "single"
