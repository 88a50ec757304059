"""The app's URLs plus two anchors behind the same middleware and server: a bare Django JSON view and a
view that commits one ORM row.

Used only by bench/open311_throughput.py, through bench/open311_settings.py."""

from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from dangjian.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def ceiling(request):
    # As little as a Django view can do: read the form, answer a small JSON list.
    return JsonResponse([{"service_request_id": "ceiling", "fields": len(request.POST)}], safe=False)


@csrf_exempt
def one_row(request):
    # The least a write can do: the same form read, one ORM row committed in a transaction (an audit
    # row, the smallest of the rows a POST writes), the same small JSON answer.
    from dangjian.audit.models import AuditEvent

    with transaction.atomic():
        event = AuditEvent.objects.create(
            actor_name="bench",
            action="create",
            object_type="bench.row",
            object_repr=request.POST.get("description", "")[:80],
        )
    return JsonResponse([{"service_request_id": event.pk, "fields": len(request.POST)}], safe=False)


urlpatterns = [path("bench/ceiling.json", ceiling), path("bench/one_row.json", one_row), *app_urlpatterns]
