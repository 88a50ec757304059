"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) and the page of API keys.

Choices this deployment makes where the spec leaves one:
- jurisdiction_id is the district's GB/T 2260 code (e.g. 440402), or its public id when it has no
  code. It is optional while the deployment serves one district. A POST's district is the API
  key's, so jurisdiction_id may be left out; when given it must be the key's. A GET of requests
  needs it when several districts are served; services are the same for every district.
- Reading is public, as the spec says, and never shows the reporter's name or phone, uploaded
  photos or internal step notes. Anonymous readers and keys without a staff grant get descriptions,
  addresses and status_notes with phone numbers, ID numbers and e-mail addresses masked
  (138****5678), lat/long rounded to 3 decimals (about 100 m), and no report the resident kept
  private (a GET of its id answers 404 like a missing one). A key with a staff grant
  (ApiClient.staff_grant, issued on the 接口密钥 page) passed as api_key reads its own district's
  cases in full; each such read writes an audit row. An unknown or deactivated api_key is a 403.
- service_request_id is the case number (XZ-20261121-0042); status is open/closed.
- A POST's point must lie in a grid of the key's district, or in no grid at all (then parked in the
  district for a dispatcher): a point in another district's grid is a 400.
- Bodies are UTF-8 forms: another charset is a 400, a body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413,
  characters XML 1.0 cannot carry (NUL, ESC...) a 400 naming the field; all as the error list.
- Extensions: the `Idempotency-Key` header on POST (a retry with the same key and the same fields
  from the same client answers 200 with the first request's body and `Idempotent-Replayed: true`,
  never a second case; the same key with other fields answers 422);
  `page` and `page_size` (≤ 1000) on GET requests.
- Tokens: POST answers with service_request_id at once, so none is handed out; GET tokens/{token_id}
  takes the Idempotency-Key a client posted with (and its api_key) as the token.
- address_id is the public id of a building or estate in the territory register.
- attribute codes a service definition does not have are ignored.
"""

from django.urls import path, re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services_list, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_endpoint, name="requests"),
    re_path(r"^requests/(?P<number>[-\w]+)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token_detail, name="token"),
    path("clients/", views.clients, name="clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<uuid:public_id>/created/", views.client_created, name="client_created"),
    path("clients/<uuid:public_id>/deactivate/", views.client_deactivate, name="client_deactivate"),
]
