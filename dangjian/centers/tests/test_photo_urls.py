"""A centre's photo links point at this site or at a configured image server, nowhere else."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.centers.models import ServiceCenter
from dangjian.centers.services import centres

ELSEWHERE = [
    "https://tracker.example.net/pixel.gif",
    "http://tracker.example.net/pixel.gif",
    "//tracker.example.net/pixel.gif",
    "/\\tracker.example.net/pixel.gif",
    "javascript:alert(1)",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "https://oss.example.gov.cn@tracker.example.net/a.jpg",
    "https://oss.example.gov.cn:8443/a.jpg",
    "http://oss.example.gov.cn/a.jpg",
    "https://oss.example.gov.cn.tracker.example.net/a.jpg",
]


@pytest.fixture
def image_server(settings):
    settings.PHOTO_URL_HOSTS = ["oss.example.gov.cn"]


@pytest.mark.parametrize("url", ELSEWHERE)
def test_it_refuses_a_link_to_anywhere_else(net, image_server, url):
    with pytest.raises(ValidationError) as caught:
        centres.center_update(actor=None, center=net.c1, photo_urls=["/static/img/a.jpg", url])
    assert "photo_urls" in caught.value.message_dict
    assert f"照片链接「{url}」不可用" in caught.value.message_dict["photo_urls"][0]
    net.c1.refresh_from_db()
    assert net.c1.photo_urls == []


def test_it_keeps_links_to_this_site_and_to_the_configured_image_server(net, image_server):
    urls = ["/static/img/centre.jpg", "https://oss.example.gov.cn/centres/1.jpg", "https://OSS.example.gov.cn/2.jpg"]
    centres.center_update(actor=None, center=net.c1, photo_urls=[f" {u} " for u in urls] + [""])
    net.c1.refresh_from_db()
    assert net.c1.photo_urls == urls


def test_without_a_configured_image_server_only_this_sites_links_are_kept(net, settings):
    settings.PHOTO_URL_HOSTS = []
    with pytest.raises(ValidationError) as caught:
        centres.center_update(actor=None, center=net.c1, photo_urls=["https://oss.example.gov.cn/1.jpg"])
    assert "只能使用本站的地址" in caught.value.message_dict["photo_urls"][0]


def test_the_centre_form_shows_the_refusal_at_the_field_and_saves_nothing(world, net, login, image_server):
    client = login(world.users.community_worker)
    url = reverse("centers:edit", args=[net.c1.public_id])
    data = {
        "name": net.c1.name,
        "level": net.c1.level,
        "area": str(world.c1.public_id),
        "org": str(world.cc1.public_id),
        "lat": net.c1.lat,
        "lng": net.c1.lng,
        "floor_area": net.c1.floor_area,
        "photo_urls": "/static/img/a.jpg\nhttps://tracker.example.net/pixel.gif",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "照片链接「https://tracker.example.net/pixel.gif」不可用" in response.content.decode()
    assert ServiceCenter.objects.get(pk=net.c1.pk).photo_urls == []
    data["photo_urls"] = "/static/img/a.jpg\nhttps://oss.example.gov.cn/1.jpg"
    assert client.post(url, data).status_code == 302
    assert ServiceCenter.objects.get(pk=net.c1.pk).photo_urls == [
        "/static/img/a.jpg",
        "https://oss.example.gov.cn/1.jpg",
    ]
