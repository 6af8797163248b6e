"""Reading order of a PDF text-layer page (:mod:`ingest.pdf_reader`): its blocks as
runs to read one after another, a two-column page column by column between its
full-width blocks, and blocks on one baseline grouped into rows (a table's cells).
Blocks are MuPDF's ``dict`` layout blocks."""
from __future__ import annotations

import bisect

#: Two-column pages: a vertical gutter at least MIN_GUTTER points wide, its middle within
#: GUTTER_RANGE of the page width, that no block crosses except full-width ones (headers,
#: footers, a wide figure: they cut the page into bands read one after another) ...
GUTTER_RANGE = (0.3, 0.7)
MIN_GUTTER = 4.0
#: ... with at least this many lines on either side ...
MIN_COLUMN_LINES = 6
#: ... and at most this share of the page's lines in blocks across it.
MAX_SPANNING_SHARE = 0.25
#: Columns are about as wide as each other: a narrow side is a table's first column.
MIN_COLUMN_WIDTH_RATIO = 0.5
#: Blocks either side of such a gutter that start on one baseline this often are the cells
#: of a table (read row by row, as on any page), not columns; so are sides that a gutter
#: of their own splits again (a table's columns, or more than two columns of text).
TABLE_ROW_SHARE = 0.8
#: Pages with more blocks than this are not searched for two columns (a real two-column
#: page has a few dozen): the table test compares blocks across the gutter.
MAX_COLUMN_BLOCKS = 1_000


def reading_order(blocks: list[dict], width: float,
                   column_right: float) -> list[tuple[list[dict], float]]:
    """The page's blocks as runs to read one after another, each with the right edge its
    lines wrap at: the whole page as sorted, or, on a two-column page, per band between
    full-width blocks, the left column top to bottom, then the right one."""
    split = two_columns(blocks, width)
    if split is None:
        return [(blocks, column_right)]
    left, right, spanning = split
    left_right = max(block["bbox"][2] for block in left)
    spanning.sort(key=_middle)
    middles = [_middle(block) for block in spanning]
    bands: list[tuple[list[dict], list[dict]]] = [([], []) for _ in range(len(spanning) + 1)]
    for side, column in ((0, left), (1, right)):
        for block in column:  # kept in MuPDF's order (top to bottom)
            bands[bisect.bisect(middles, _middle(block))][side].append(block)
    runs: list[tuple[list[dict], float]] = []
    full_width: list[dict] | None = None  # the run of full-width blocks being read
    for index, (in_left, in_right) in enumerate(bands):
        if in_left:
            runs.append((in_left, left_right))
        if in_right:
            runs.append((in_right, column_right))
        if in_left or in_right:
            full_width = None
        if index < len(spanning):
            if full_width is None:  # consecutive full-width blocks are read as one run
                full_width = []
                runs.append((full_width, column_right))
            full_width.append(spanning[index])
    return runs


def _middle(block: dict) -> float:
    return (block["bbox"][1] + block["bbox"][3]) / 2


def two_columns(blocks: list[dict], width: float) -> tuple[list[dict], list[dict], list[dict]] | None:
    """(left, right, full-width) blocks of a two-column page, or None for any other page.

    One sweep over the blocks' x extents (weighted by their lines) finds the strip near
    the middle that the fewest lines cross; it is a gutter when it is wide enough, only
    full-width blocks cross it, and both sides hold text that does not run row by row
    across it (a table). Pages of more than :data:`MAX_COLUMN_BLOCKS` blocks are read as
    one column: the table test compares blocks across the gutter, and no page of
    thousands of blocks is set in two columns."""
    if len(blocks) > MAX_COLUMN_BLOCKS:
        return None
    events: list[tuple[float, int]] = []
    total = 0
    for block in blocks:
        kind = block["type"]
        if kind == 0:
            weight = len(block["lines"])
            if not weight:
                continue
        elif kind == 1:
            weight = 1
        else:
            continue
        bbox = block["bbox"]
        events.append((bbox[0], weight))
        events.append((bbox[2], -weight))
        total += weight
    if total < 2 * MIN_COLUMN_LINES:
        return None
    events.sort()
    low, high = GUTTER_RANGE[0] * width, GUTTER_RANGE[1] * width
    most_across = MAX_SPANNING_SHARE * total
    across = before = 0  # lines of blocks open over / ended before the current x
    best: tuple | None = None
    previous = events[0][0]
    for x, weight in events:
        if x - previous >= MIN_GUTTER and previous < high and x > low and across <= most_across:
            start, end = max(previous, low), min(x, high)
            after = total - across - before
            if end - start >= MIN_GUTTER and before >= MIN_COLUMN_LINES and after >= MIN_COLUMN_LINES:
                key = (across, abs((start + end) / 2 - width / 2))
                if best is None or key < best[0]:
                    best = (key, (start + end) / 2)
        if weight > 0:
            across += weight
        else:
            across += weight
            before -= weight
        previous = x
    if best is None:
        return None
    gutter = best[1]
    left: list[dict] = []
    right: list[dict] = []
    spanning: list[dict] = []
    for block in blocks:
        if block["type"] not in (0, 1) or (block["type"] == 0 and not block["lines"]):
            continue
        x0, _, x1, _ = block["bbox"]
        (left if x1 <= gutter else right if x0 >= gutter else spanning).append(block)
    widths = sorted(max(b["bbox"][2] for b in side) - min(b["bbox"][0] for b in side)
                    for side in (left, right))
    if (widths[0] < MIN_COLUMN_WIDTH_RATIO * widths[1] or _has_gutter(left) or _has_gutter(right)
            or _table_rows(left, right)):
        return None
    return left, right, spanning


def _has_gutter(blocks: list[dict]) -> bool:
    """Does a vertical strip with blocks on either side split these blocks (a table's
    columns, or more than two columns of text)?"""
    edges = sorted((block["bbox"][0], block["bbox"][2]) for block in blocks)
    reach = edges[0][1]
    for x0, x1 in edges[1:]:
        if x0 - reach >= MIN_GUTTER:
            return True
        reach = max(reach, x1)
    return False


def _table_rows(left: list[dict], right: list[dict]) -> bool:
    """Do most blocks of one side start on the baseline of a block on the other (the
    cells of a table's rows)?"""
    fewer, more = sorted((left, right), key=len)
    firsts = sorted((block["lines"][0]["bbox"] for block in more if block["type"] == 0),
                    key=lambda bbox: bbox[1])
    if not firsts:
        return False
    tops = [bbox[1] for bbox in firsts]
    tallest = max(bbox[3] - bbox[1] for bbox in firsts)
    aligned = 0
    for block in fewer:
        if block["type"] != 0:
            continue
        bbox = block["lines"][0]["bbox"]
        start = bisect.bisect_left(tops, bbox[1] - tallest)
        stop = bisect.bisect_right(tops, bbox[3])
        if any(same_baseline(bbox, other) for other in firsts[start:stop]):
            aligned += 1
    return aligned >= TABLE_ROW_SHARE * len(fewer)


def rows(blocks: list[dict]) -> list[list[dict]]:
    """Blocks grouped into rows: single-line blocks whose vertical extents overlap
    (cells of one table row) share a row, left to right; everything else is its own row."""
    rows: list[list[dict]] = []
    for block in blocks:
        if block["type"] not in (0, 1) or (block["type"] == 0 and not block["lines"]):
            continue
        previous = rows[-1] if rows else None
        if (previous and block["type"] == 0 and previous[-1]["type"] == 0
                and len(block["lines"]) == 1 and len(previous[-1]["lines"]) == 1
                and same_baseline(previous[-1]["bbox"], block["bbox"])
                and block["bbox"][0] > previous[-1]["bbox"][0]):
            previous.append(block)
        else:
            rows.append([block])
    return rows


def same_baseline(a: tuple, b: tuple) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.6 * min(a[3] - a[1], b[3] - b[1])
