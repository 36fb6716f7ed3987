"""Query counts for list and dashboard views: a page answers, and its number of queries does not
grow with the rows it shows (an N+1 would), whatever the rows' number."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(request: Callable):
    """The response `request()` returns and the SQL statements it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = request()
    return response, [query["sql"] for query in queries]


def assert_queries_do_not_grow(
    request: Callable,
    add_rows: Callable[[int], object],
    *,
    rows: int = 3,
    status: int = 200,
    at_most: int | None = None,
) -> int:
    """`request()` answers `status` with `rows` rows added and again with twice as many, running
    the same number of queries both times (and no more than `at_most`, where given)."""
    counts = []
    for _ in range(2):
        add_rows(rows)
        response, statements = queries_of(request)
        assert response.status_code == status, response
        counts.append(statements)
    few, many = counts
    assert len(many) == len(few), _listing(few, many, rows)
    if at_most is not None:
        assert len(few) <= at_most, _listing(few, many, rows)
    return len(few)


def _listing(few: list[str], many: list[str], rows: int) -> str:
    lines = [f"{len(few)} queries with {rows} rows added, {len(many)} with {2 * rows}:"]
    for name, statements in (("N", few), ("2N", many)):
        lines += [f"  {name} {i}. {sql}" for i, sql in enumerate(statements, 1)]
    return "\n".join(lines)
