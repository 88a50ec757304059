"""The grid index a process keeps: the batch lookup answers as the single one, no query per lookup,
and a grid redrawn elsewhere (another process: the token replaced behind this one's back) is seen
after the check interval, at once with the interval 0, or at once through Redis."""

import os
import random
import time

import pytest
from django.db import transaction
from shapely.geometry import shape

from dangjian.conftest import square
from dangjian.core.models import bump_version
from dangjian.territory import gridcache, services
from dangjian.territory.geo import (
    GRID_VERSION,
    GridIndex,
    grid_for_point,
    grid_index,
    grid_index_copy,
    grids_for_points,
)
from dangjian.territory.models import Area

IN_G3 = (22.305, 113.605)  # (lat, lng) inside world.g3, a 0.01° square at (113.60, 22.30)
MOVED_G3 = square(113.70, 22.30)


def lattice_index(cols=12, rows=9, size=1.0):
    """Unit squares edge to edge (shared edges and corners everywhere), paths in creation order,
    and a donut whose hole holds nothing."""
    grids = []
    for j in range(rows):
        for i in range(cols):
            k = len(grids) + 1
            grids.append((k, f"{k:04d}", shape(square(i * size, j * size, size))))
    donut = {
        "type": "Polygon",
        "coordinates": [
            [[20, 0], [30, 0], [30, 10], [20, 10], [20, 0]],
            [[24, 4], [26, 4], [26, 6], [24, 6], [24, 4]],
        ],
    }
    grids.append((len(grids) + 1, "9999", shape(donut)))
    return GridIndex(grids)


def test_the_batch_answers_exactly_as_one_lookup_at_a_time():
    index = lattice_index()
    rng = random.Random(7)
    points = [(rng.uniform(-2, 12), rng.uniform(-2, 32)) for _ in range(3000)]  # inside, between, outside
    points += [(float(j), float(i)) for i in range(13) for j in range(10)]  # every lattice corner
    points += [(j + 0.5, float(i)) for i in range(13) for j in range(9)]  # every vertical edge
    points += [(5.0, 25.0), (4.0, 25.0), (0.0, 25.0), (10.0, 30.0)]  # the hole, its edge, outer edges
    rng.shuffle(points)
    batch = index.lookup_many(points)
    assert batch == [index.lookup(lat, lng) for lat, lng in points]
    statuses = {hit.status for hit in batch}
    assert statuses == {"inside", "border", "outside"}
    corner = index.lookup_many([(1.0, 1.0)])[0]
    assert corner.status == "border" and corner.candidates == (1, 2, 13, 14) and corner.grid_id == 1
    assert index.lookup_many([]) == [] and GridIndex([]).lookup_many([(1, 1)])[0].status == "outside"


def test_the_apps_batch_call_answers_as_its_single_call(world):
    rng = random.Random(3)
    points = [(rng.uniform(22.19, 22.32), rng.uniform(113.49, 113.62)) for _ in range(500)]
    points += [(22.205, 113.51), (22.20, 113.51), (22.21, 113.52)]  # a shared edge, shared corners
    assert grids_for_points(points) == [grid_for_point(lat, lng) for lat, lng in points]


def test_the_index_knows_the_areas_above_each_grid(world):
    chain = grid_index().chain(world.g1a.pk)
    assert (chain.path, chain.community_id, chain.subdistrict_id, chain.district_id) == (
        world.g1a.path,
        world.c1.pk,
        world.s1.pk,
        world.district.pk,
    )


def redraw_elsewhere(grid):
    """What another process does when it redraws a grid: new rows and a new token, committed, and
    nothing said to this process."""
    Area.objects.filter(pk=grid.pk).update(boundary=MOVED_G3)
    bump_version(GRID_VERSION)


@pytest.fixture
def clock(monkeypatch):
    now = [time.monotonic()]
    monkeypatch.setattr(gridcache, "_clock", lambda: now[0])
    return now


@pytest.mark.django_db(transaction=True)
def test_lookups_ask_the_database_nothing_between_checks(world, settings, django_assert_num_queries):
    settings.GRID_INDEX_CHECK_SECONDS = 3600
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk
    with django_assert_num_queries(0):
        for _ in range(200):
            grid_for_point(*IN_G3)
        grids_for_points([IN_G3] * 200)


@pytest.mark.django_db(transaction=True)
def test_a_grid_redrawn_in_another_process_is_seen_after_the_check_interval(world, settings, clock):
    settings.GRID_INDEX_CHECK_SECONDS = 5
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk
    redraw_elsewhere(world.g3)
    clock[0] += 4
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk  # not checked yet: the copy still answers
    clock[0] += 2
    assert grid_for_point(*IN_G3).grid_id is None  # checked: rebuilt from the new rows
    assert grid_for_point(22.305, 113.705).grid_id == world.g3.pk


@pytest.mark.django_db(transaction=True)
def test_with_the_interval_zero_every_lookup_checks(world, settings):
    settings.GRID_INDEX_CHECK_SECONDS = 0
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk
    redraw_elsewhere(world.g3)
    assert grid_for_point(*IN_G3).grid_id is None


@pytest.mark.django_db(transaction=True)
def test_a_grid_write_in_this_process_is_seen_at_once(world, settings):
    settings.GRID_INDEX_CHECK_SECONDS = 3600
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk
    services.area_update(actor=None, area=world.g3, boundary=MOVED_G3)
    assert grid_for_point(*IN_G3).grid_id is None
    assert grid_for_point(22.305, 113.705).grid_id == world.g3.pk


class WriteFailed(Exception):
    """Raised at the end of a grid write's transaction, carrying what the writer saw inside it."""


def redraw_and_fail(grid):
    with transaction.atomic():
        services.area_update(actor=None, area=grid, boundary=MOVED_G3)
        raise WriteFailed(grid_for_point(*IN_G3).grid_id)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_grid_write_is_forgotten(world, settings):
    settings.GRID_INDEX_CHECK_SECONDS = 3600
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk
    with pytest.raises(WriteFailed) as failed:
        redraw_and_fail(world.g3)
    assert failed.value.args == (None,)  # inside its transaction the writer saw its own change
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk  # rolled back: the old grid again


def wait_for(condition, seconds=10.0):
    """Poll until `condition()` (a thread on the other side of Redis); the test fails on its own
    assertion afterwards if it never comes."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_change_announced_through_redis_is_seen_at_once(world, settings):
    import redis

    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.GRID_INDEX_CHECK_SECONDS = 3600
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk  # starts this process's listener
    wait_for(lambda: grid_index_copy.heard > 0)  # subscribed
    assert grid_index_copy.heard > 0
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk
    redraw_elsewhere(world.g3)
    assert grid_for_point(*IN_G3).grid_id == world.g3.pk  # nobody said anything yet
    heard = grid_index_copy.heard
    redis.Redis.from_url(settings.REDIS_URL).publish(grid_index_copy.channel, "1")  # the other process's announcement
    wait_for(lambda: grid_index_copy.heard > heard)
    assert grid_for_point(*IN_G3).grid_id is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_committed_grid_write_is_announced_on_redis(world, settings):
    import redis

    settings.REDIS_URL = os.environ["REDIS_URL"]
    listener = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(grid_index_copy.channel)
    try:
        wait_for(lambda: listener.get_message(timeout=0.1) is None and listener.subscribed)
        with transaction.atomic():
            services.area_update(actor=None, area=world.g3, boundary=MOVED_G3)
            assert listener.get_message(timeout=0.2) is None  # not before the commit
        message = None
        deadline = time.monotonic() + 10
        while message is None and time.monotonic() < deadline:
            message = listener.get_message(timeout=0.5)
        assert message is not None and message["channel"].decode() == grid_index_copy.channel
    finally:
        listener.close()
