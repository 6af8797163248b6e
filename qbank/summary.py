"""The one-screen summary printed at the end of a build.

When the build replaced a corpus, its last lines say what changed (store/diff.py):
questions added, removed and changed, answer changes counted and named first.
"""
from __future__ import annotations

from qbank.pipeline import BuildReport


def render_summary(report: BuildReport) -> str:
    ok = [s for s in report.sources if not s.error]
    lines = [
        f"qbank build -> {report.out}",
        f"  sources   {len(ok)} read ({sum(1 for s in ok if s.cached)} from cache), "
        f"{len(report.failed)} failed",
    ]
    for source in ok:
        lines.append(f"    {source.path}  [{source.format}, {source.pages} pages] "
                     f"{len(source.extraction.questions)} questions, "
                     f"{len(source.extraction.knowledge)} knowledge units, "
                     f"{len(source.extraction.removed)} furniture removals, {source.seconds:.2f}s"
                     + (" (cache)" if source.cached else ""))
    for source in report.failed:
        lines.append(f"    FAILED {source.error}")
    lines.append(f"  questions {report.questions}   knowledge units {report.knowledge}")
    if report.flags:
        shown = ", ".join(f"{flag} {count}" for flag, count in report.flags.most_common())
        lines.append(f"  flags     {shown}")
    if not report.written:
        lines.append("  corpus    not written: no input file found" if report.kept == "nothing"
                     else "  corpus    not written: every input failed, the previous corpus is kept")
    lines.append(f"  time      {report.seconds:.2f}s")
    if report.changes is not None:
        from store.diff import summary_lines

        lines += summary_lines(report.changes)
    return "\n".join(lines)
