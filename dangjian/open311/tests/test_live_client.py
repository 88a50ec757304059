"""A real HTTP round trip against the live server, sent the way existing Open311 clients send it:
form-encoded POST (FixMyStreet's Open311.pm, the python `open311` client), then reads by GET."""

import json
import urllib.error
import urllib.parse
import urllib.request

from .spec import check_json, check_xml


def _post(url: str, fields: dict, headers: dict | None = None):
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_it_files_and_reads_a_case_like_an_existing_client(live_server, api, world):
    base = f"{live_server.url}/open311/v2"
    status, headers, body = _get(f"{base}/services.xml?jurisdiction_id={api.jurisdiction}")
    assert status == 200 and headers["Content-Type"] == "text/xml; charset=utf-8"
    assert "garbage" in [s["service_code"] for s in check_xml("services", body)]
    status, _headers, body = _get(f"{base}/services/garbage.xml?jurisdiction_id={api.jurisdiction}")
    assert status == 200 and check_xml("definition", body)["attributes"][0]["code"] == "bin_kind"

    # FixMyStreet's field set: jurisdiction_id and api_key first, then the report.
    report = {
        "jurisdiction_id": api.jurisdiction,
        "api_key": api.key,
        "lat": "22.205",
        "long": "113.505",
        "email": "resident@example.com",
        "description": "title: 垃圾桶满溢\n\ndetail: 婆石路口三天未清运\n\nSubmitted via FixMyStreet",
        "service_code": "garbage",
        "first_name": "Wei",
        "last_name": "Wang",
        "phone": "13800138000",
        "media_url": "https://img.example.cn/fms/1.jpeg",
        "attribute[bin_kind]": "other",
    }
    status, headers, body = _post(f"{base}/requests.xml", report, {"Idempotency-Key": "fms-1"})
    assert status == 200, body.decode()
    [created] = check_xml("created", body)
    number = created["service_request_id"]
    status, _headers, again = _post(f"{base}/requests.xml", report, {"Idempotency-Key": "fms-1"})
    assert status == 200 and again == body

    # Reading back, as FixMyStreet does for updates: service_request_id, comma separated.
    status, headers, body = _get(f"{base}/requests.json?jurisdiction_id={api.jurisdiction}&service_request_id={number}")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    [row] = check_json("requests", body)
    assert row["service_request_id"] == number and row["status"] == "open"
    assert row["media_url"] == "https://img.example.cn/fms/1.jpeg"
    assert "13800138000" not in body.decode() and "Wang" not in body.decode()
    status, _headers, body = _get(f"{base}/requests/{number}.xml")
    assert status == 200 and check_xml("requests", body)[0]["service_code"] == "garbage"

    # A refusal reads as the spec's error list, with a Chinese description naming the field.
    status, _headers, body = _post(f"{base}/requests.json", {**report, "api_key": "wrong"})
    assert status == 403
    assert json.loads(body)[0]["description"].startswith("api_key：")
    status, _headers, body = _post(f"{base}/requests.json", {k: v for k, v in report.items() if k != "lat"})
    assert status == 400
    assert check_json("errors", body)[0]["description"].startswith("lat：")
