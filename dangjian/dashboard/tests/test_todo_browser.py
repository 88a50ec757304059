"""今日待办 in a real browser: a worker's counted items open lists holding exactly that many rows,
at phone and desktop width."""

from __future__ import annotations

import re

import pytest

from dangjian.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# The rows of the lists 今日待办 opens: cases and demands.
ROWS = "table[data-testid=case-table] tbody tr[data-case], table[data-testid=desk-list] tbody tr[data-demand]"


def test_a_workers_home_counts_open_lists_of_that_many(browser, demo):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/")
    browser.assert_fits()
    browser.shot("todo-home")
    items = page.locator(".todo-list li").filter(has=page.locator("span.badge:not(.badge-red)"))
    counted = []
    for i in range(items.count()):
        link = items.nth(i).locator("a")
        href = link.get_attribute("href")
        if re.match(r"^/(cases|demands)/desk/\?tab=", href):
            counted.append(
                (link.inner_text(), href, int(items.nth(i).locator("span.badge:not(.badge-red)").inner_text()))
            )
    assert len(counted) >= 2, counted  # cases and demands both wait for the community
    for n, (title, href, count) in enumerate(counted):
        assert count <= 20, (title, count)  # one page of the list
        browser.go("/")
        page.locator(".todo-list a", has_text=title).first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(href), (title, page.url)
        assert page.locator(ROWS).count() == count, (title, href)
        browser.assert_fits()
        if n == 0:
            browser.shot("todo-list")
