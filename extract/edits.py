"""The edit record every corrector returns (the audit's ``ocr_corrections`` rows)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
