from types import SimpleNamespace

import pytest

from dangjian.cases.models import CaseCategory, CategoryAttribute
from dangjian.open311 import services

POINT_G1A = {"lat": "22.205", "long": "113.505"}  # inside world.g1a (婆石第一网格)


@pytest.fixture
def api(world):
    """An API client of the world's district, its raw key, and a category with every kind of question."""
    client, key = services.client_create(actor=world.users.district_admin, name="12345 热线", district=world.district)
    garbage = CaseCategory.objects.get(code="garbage")  # seeded by a migration
    CategoryAttribute.objects.create(
        category=garbage,
        code="bin_kind",
        datatype=CategoryAttribute.Datatype.SINGLEVALUELIST,
        required=True,
        description="垃圾桶类型",
        values=[{"key": "kitchen", "name": "厨余"}, {"key": "other", "name": "其他垃圾"}],
        order=0,
    )
    CategoryAttribute.objects.create(
        category=garbage,
        code="smells",
        datatype=CategoryAttribute.Datatype.MULTIVALUELIST,
        description="现场情况",
        values=[{"key": "odor", "name": "异味"}, {"key": "overflow", "name": "满溢"}, {"key": "rats", "name": "鼠患"}],
        order=0,
    )
    CategoryAttribute.objects.create(
        category=garbage, code="bags", datatype=CategoryAttribute.Datatype.NUMBER, description="大约几袋", order=2
    )
    CategoryAttribute.objects.create(
        category=garbage, code="seen_at", datatype=CategoryAttribute.Datatype.DATETIME, description="发现时间", order=3
    )
    return SimpleNamespace(client=client, key=key, garbage=garbage, jurisdiction=world.district.code)


@pytest.fixture
def post_request(client, api):
    """POST requests.<fmt> form-encoded, the way Open311 clients send it."""

    def post(data=None, *, fmt="json", key=None, headers=None, with_key=True):
        payload = {"api_key": key or api.key, "jurisdiction_id": api.jurisdiction, **(data or {})}
        if not with_key:
            payload.pop("api_key")
        return client.post(f"/open311/v2/requests.{fmt}", payload, headers=headers or {})

    return post


def garbage_answers(**extra):
    return {
        "service_code": "garbage",
        **POINT_G1A,
        "description": "婆石路垃圾桶满溢三天无人清运",
        "attribute[bin_kind]": "kitchen",
        **extra,
    }
