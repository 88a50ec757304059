"""GET discovery, services and service definitions, in JSON and XML, checked against the spec."""

from datetime import datetime, timedelta

import pytest

from dangjian.cases.models import CaseCategory
from dangjian.territory import services as territory_services

from .spec import check

FORMATS = ["json", "xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_lists_the_active_categories_as_services(client, api, fmt):
    CaseCategory.objects.filter(code="other").update(is_active=False)
    response = client.get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 200
    services = check("services", response, fmt)
    codes = [s["service_code"] for s in services]
    assert "other" not in codes and len(codes) == CaseCategory.objects.filter(is_active=True).count()
    garbage = next(s for s in services if s["service_code"] == "garbage")
    assert garbage["service_name"] == "垃圾清运"
    assert garbage["metadata"] is True
    assert garbage["type"] == "realtime"
    assert garbage["keywords"].startswith("垃圾, 清运, ")
    assert garbage["group"] == "环境卫生"
    noise = next(s for s in services if s["service_code"] == "noise")
    assert noise["metadata"] is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_defines_a_service_with_its_attributes(client, api, fmt):
    response = client.get(f"/open311/v2/services/garbage.{fmt}")
    assert response.status_code == 200
    definition = check("definition", response, fmt)
    assert definition["service_code"] == "garbage"
    attrs = definition["attributes"]
    assert [a["code"] for a in attrs] == ["bin_kind", "smells", "bags", "seen_at"]
    assert [a["order"] for a in attrs] == [1, 2, 3, 4]  # positive and distinct, as the spec wants
    bin_kind = attrs[0]
    assert bin_kind["required"] is True and bin_kind["variable"] is True
    assert bin_kind["datatype"] == "singlevaluelist"
    assert bin_kind["values"] == [{"key": "kitchen", "name": "厨余"}, {"key": "other", "name": "其他垃圾"}]
    assert attrs[1]["datatype_description"].startswith("多选")
    assert attrs[2]["values"] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_an_unknown_service_with_404(client, db, fmt):
    response = client.get(f"/open311/v2/services/potholes.{fmt}")
    assert response.status_code == 404
    [error] = check("errors", response, fmt)
    assert error["code"] == 404 and error["description"].startswith("service_code：")


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_describes_the_endpoint_for_discovery(client, db, fmt):
    response = client.get(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 200
    data = check("discovery", response, fmt)
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    # The spec: changeset is a W3C datetime with its offset ("2026-11-21 00:00" was not).
    assert data["changeset"] == endpoint["changeset"]
    assert datetime.fromisoformat(data["changeset"]).utcoffset() == timedelta(hours=8)


def test_it_checks_a_given_jurisdiction_on_services(client, world):
    assert client.get("/open311/v2/services.json?jurisdiction_id=440402").status_code == 200
    assert client.get(f"/open311/v2/services.json?jurisdiction_id={world.district.public_id}").status_code == 200
    response = client.get("/open311/v2/services.json?jurisdiction_id=sfgov.org")
    assert response.status_code == 404
    check("errors", response, "json")
    # Services are the same in every district: no jurisdiction needed even with several.
    territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    assert client.get("/open311/v2/services.json").status_code == 200


def test_it_refuses_other_methods_on_services(client, db):
    response = client.post("/open311/v2/services.xml")
    assert response.status_code == 405
    check("errors", response, "xml")


def test_it_answers_an_unknown_format_with_404(client, db):
    assert client.get("/open311/v2/services.csv").status_code == 404


def test_it_writes_utf8_chinese_not_escapes(client, db):
    response = client.get("/open311/v2/services.json")
    assert "垃圾清运".encode() in response.content
    response = client.get("/open311/v2/services.xml")
    assert "<service_name>垃圾清运</service_name>".encode() in response.content
