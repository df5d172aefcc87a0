"""Paging a query: one count, one page of rows, the page number clamped to the pages there are."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from tumorboard.extensions import db


@dataclass(frozen=True)
class Page:
    """One page of rows, the number of rows that matched and the pages they fill (at least one)."""

    rows: list
    total: int
    page: int
    pages: int


def page_of(count: sa.Select, rows: sa.Select, requested: int, per_page: int) -> Page:
    """Count the matches, then load page `requested` of `rows` (a page past the end is the last one)."""
    total = db.session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(requested, 1), pages)
    return Page(list(db.session.execute(rows.limit(per_page).offset((page - 1) * per_page))), total, page, pages)
