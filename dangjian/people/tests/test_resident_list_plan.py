"""(PostgreSQL) the household register's tag list is an index walk at 100,000 residents: a district
admin's first page and a deep cursor page, a grid worker's page, and the tag filter, none reading the
whole residents table."""

import pytest
from django.db import connection

from dangjian.core.keyset import seek_q
from dangjian.people import selectors
from dangjian.people.models import Household, Resident
from dangjian.territory import services as territory_services

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
RESIDENTS = 100_000
HOUSEHOLDS = 2_000


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _bulk(world) -> None:
    """2,000 households and 100,000 residents: one household in fifty in 婆石's first grid, the rest in
    茂盛's; one resident in seven is elderly and alone, about one in three a veteran."""
    other = territory_services.building_save(actor=None, community=world.c2, name="8栋", lat=22.205, lng=113.535)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO people_household (public_id, building_id, room, created_at, updated_at)
                SELECT md5('h' || n)::uuid, CASE WHEN n %% 50 = 0 THEN %s ELSE %s END, n::text || '室', now(), now()
                FROM generate_series(1, {HOUSEHOLDS}) AS n""",
            [world.building.pk, other.pk],
        )
        cursor.execute(
            f"""INSERT INTO people_resident (public_id, household_id, area_path, name, mobile, tags, created_at,
                                             updated_at)
                SELECT md5('r' || n)::uuid, h.id, CASE WHEN h.building_id = %s THEN %s ELSE %s END,
                       '居民' || n, '',
                       CASE WHEN n %% 7 = 0 THEN '["elderly_alone"]'::jsonb
                            WHEN n %% 3 = 0 THEN '["veteran"]'::jsonb ELSE '[]'::jsonb END,
                       now(), now()
                FROM generate_series(1, {RESIDENTS}) AS n
                JOIN people_household h ON h.public_id = md5('h' || (1 + n %% {HOUSEHOLDS}))::uuid""",
            [world.building.pk, world.g1a.path, world.g2.path],
        )
        cursor.execute("ANALYZE people_resident")
        cursor.execute("ANALYZE people_household")


@postgres_only
@pytest.mark.django_db
def test_the_tag_list_is_an_index_walk_at_100k_residents(world):
    _bulk(world)
    assert Resident.objects.count() == RESIDENTS and Household.objects.count() == HOUSEHOLDS
    u = world.users
    order = selectors.RESIDENT_ORDER
    plans = {}
    for who in ("district_admin", "community_worker", "grid_worker"):
        for tag in ("elderly_alone", "veteran"):
            qs = selectors.residents_with_tag(getattr(u, who), tag=tag)
            assert qs.exists(), (who, tag)  # a list a person would read
            plans[(who, tag)] = _plan(qs.values("pk")[:26])
    every = selectors.residents_with_tag(u.district_admin, tag="elderly_alone")
    row = every[3000]
    deep = every.filter(seek_q(order, [row.area_path, row.pk]))
    assert deep.first().pk > row.pk or deep.first().area_path > row.area_path
    plans[("deep", "")] = _plan(deep.values("pk")[:26])
    seq = {key: plan for key, plan in plans.items() if "Seq Scan on people_resident" in plan}
    assert not seq, seq
    assert all("people_resident_scope" in plan or "people_resident_tags_gin" in plan for plan in plans.values()), plans
