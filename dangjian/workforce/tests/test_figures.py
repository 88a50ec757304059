"""The workforce figures come from the figures store (a stock): per node, for any date, with the shares
the seeds quote, and the two committees under 40 with 大专+ from the birth-year dimension."""

import datetime

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.workforce import selectors
from dangjian.workforce.facts import WORKERS
from dangjian.workforce.services import workers

D = datetime.date


def test_figures_per_node_and_their_shares(world, make_worker):
    today = timezone.localdate()
    young = today.year - 30
    make_worker(name="书记", kind="secretary", dual_role=True, birth_date=D(young, 1, 1), education="college")
    make_worker(name="委员", kind="committee", birth_date=D(1975, 1, 1), education="below")
    make_worker(name="网格员", kind="grid", birth_date=D(1990, 1, 1), education="bachelor", placed=False)
    make_worker(area=world.c3, name="海虹书记", kind="secretary", birth_date=D(1970, 1, 1), education="master")
    children = [(c, "") for c in (world.s1, world.s2)]
    head, rows = selectors.workforce_figures(world.district, children, today)
    assert head.m["workers"] == 4
    assert head.m["secretaries"] == 2 and head.m["dual_role"] == 1
    assert head.dual_role_share == 50
    assert head.born_1980_share == 50  # 书记 and 网格员
    assert head.bachelor_share == 50 and head.college_share == 75
    assert head.placed_share == 75
    assert head.m["committee"] == 3  # two secretaries and a committee member
    assert head.under40_college_committee == 1  # the young secretary with 大专
    assert [(r.name, r.m["workers"]) for r in rows] == [("拱北街道", 3), ("吉大街道", 1)]


def test_a_past_date_keeps_its_figures(world, make_worker):
    today = timezone.localdate()
    w = make_worker(name="李华")
    assert facts.stock_total(WORKERS, world.c1.path, on=today)["workers"] == 1
    workers.worker_leave(actor=None, worker=w, left_on=today)
    assert facts.stock_total(WORKERS, world.c1.path, on=today)["workers"] == 0
    yesterday = today - datetime.timedelta(days=1)
    assert facts.stock_total(WORKERS, world.c1.path, on=yesterday)["workers"] == 0  # created today


def test_the_figures_page_reads_the_store(world, make_worker, login):
    from django.urls import reverse

    make_worker(name="李华")
    page = login(world.users.district_admin).get(reverse("workforce:figures"))
    assert page.context["head"].m["workers"] == 1
