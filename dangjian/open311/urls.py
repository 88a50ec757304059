"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) and the page of API keys.

Choices this deployment makes where the spec leaves one:
- jurisdiction_id is the district's GB/T 2260 code (e.g. 440402), or its public id when it has no
  code. It is optional while the deployment serves one district. A POST's district is the API
  key's, so jurisdiction_id may be left out; when given it must be the key's. A GET of requests
  needs it when several districts are served; services are the same for every district.
- Reading is public, as the spec says, and covers every case: a request row carries no personal
  data (never the reporter's name or phone, no uploaded photos, only public step notes).
- service_request_id is the case number (XZ-20261121-0042); status is open/closed.
- Extensions: the `Idempotency-Key` header on POST (a retry with the same key from the same client
  answers 200 with the first request's body and `Idempotent-Replayed: true`, never a second case);
  `page` and `page_size` (≤ 1000) on GET requests.
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
    path("clients/", views.clients, name="clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<uuid:public_id>/created/", views.client_created, name="client_created"),
    path("clients/<uuid:public_id>/deactivate/", views.client_deactivate, name="client_deactivate"),
]
