"""Helpers for tests: real concurrency, and what a written workbook holds (imported by tests only)."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_at_once(*jobs: Callable[[], Any], timeout: float = 60) -> list[tuple[str, Any]]:
    """Run the jobs in threads released together, each on its own database connection.

    Returns ("ok", value) or ("error", exception) per job, in order: the loser's refusal is usually
    what a test looks at."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", job())
        except Exception as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def formula_cells(content: bytes) -> list[str]:
    """Every cell of every sheet of an .xlsx that a spreadsheet program would run as a formula:
    a live formula, or text that starts like one without the quote prefix that keeps it text when
    a person edits the cell."""
    from openpyxl import load_workbook

    from dangjian.core.excel import FORMULA_START

    wb = load_workbook(io.BytesIO(content))
    cells = (cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row)
    return [
        f"{cell.parent.title}!{cell.coordinate}"
        for cell in cells
        if cell.data_type == "f"
        or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START) and not cell.quotePrefix)
    ]


NEXT_LINK = re.compile(r'<a href="\?([^"]*)" rel="next">')


def walk_pages(client, url: str, params: str = "") -> tuple[list, list[str]]:  # noqa: ANN001 - a test client
    """Follow a keyset list's 下一页 links from its first page (core/_pagination.html): every row of
    every page (the view's `page` context), and each next link's query string as the page wrote it."""
    from html import unescape

    rows: list = []
    links: list[str] = []
    query = params
    while True:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        rows += list(response.context["page"].object_list)
        found = NEXT_LINK.search(response.content.decode())
        if not found:
            return rows, links
        query = unescape(found.group(1))
        links.append(query)


def integrity_findings(check: str) -> dict[str, set]:
    """What the integrity check `check` (an app or a check name, core/integrity.py) finds: finding code ->
    the pks it names. A check that raised fails the test."""
    from dangjian.core import integrity

    out: dict[str, set] = {}
    for result in integrity.run([check]):
        assert not result.error, result.error
        for f in result.findings:
            out.setdefault(f.code, set()).add(f.pk)
    return out


def query_plan(qs) -> str:  # noqa: ANN001 - a queryset
    """The database's plan of a queryset's query (EXPLAIN), as text: tests assert an index serves it."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
