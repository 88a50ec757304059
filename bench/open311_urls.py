"""The app's URLs plus the ceiling: a bare Django JSON view behind the same middleware and server.

Used only by bench/open311_throughput.py, through bench/open311_settings.py."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from dangjian.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def ceiling(request):
    # As little as a Django view can do: read the form, answer a small JSON list.
    return JsonResponse([{"service_request_id": "ceiling", "fields": len(request.POST)}], safe=False)


urlpatterns = [path("bench/ceiling.json", ceiling), *app_urlpatterns]
