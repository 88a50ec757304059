import ipaddress
from datetime import timedelta
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from .models import Heartbeat
from .scoping import active_role
from .tasks import QUEUE_HEARTBEAT

HEARTBEAT_STALE_AFTER = timedelta(minutes=5)


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For is believed only from a proxy in TRUSTED_PROXIES (anyone
    else could write any address into it); then the nearest address no trusted proxy holds is the client."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not remote or not trusted:
        return remote

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted)

    remote_ip = _ip(remote)
    if remote_ip is None or not is_trusted(remote_ip):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):  # nginx appends: the right-most entries are the nearest
        address = _ip(hop)
        if address is None:
            return remote  # a malformed chain: fall back to the proxy itself
        if not is_trusted(address):
            return str(address)
    return remote


def require_roles(roles):
    """Signed-in users whose active role is in `roles` pass; anyone else signed in gets 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_superuser or active_role(request.user) in roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _error_text(exc: BaseException) -> str:
    """An error for monitors: the exception's class and its message, ASCII only, short."""
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    return text.encode("ascii", "replace").decode()[:200]


def healthz(request):
    """Each piece of the deployment, named, for monitors (machine JSON, English, no personal data):

    - database: a query answers; cache: a key is written and read back (a cache that is down does
      not fail the pages, core.cache, but it is reported here);
    - queue: the queue's storage (Redis or the SQLite file) answers, with its pending task count;
    - consumer: the age of the heartbeat the consumer's periodic task writes every minute. A stale
      heartbeat counts as down when the queue has pending work (nothing is being done); with an
      empty queue it is reported (alive false) but not down.

    200 when nothing is down, 503 otherwise; `down` lists the pieces that are. A piece that cannot be
    told (the consumer while the database is down) has "ok": null and is not listed."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # a health check reports, it does not raise
        checks["database"] = {"ok": False, "error": _error_text(exc)}
    backend = caches["default"]
    try:
        probe = getattr(backend, "probe", None)
        if probe is not None:
            answered = probe()
        else:
            backend.set("healthz:probe", "1", 10)
            answered = backend.get("healthz:probe") == "1"
        checks["cache"] = {"ok": bool(answered), "backend": backend.__class__.__name__}
    except Exception as exc:
        checks["cache"] = {"ok": False, "backend": backend.__class__.__name__, "error": _error_text(exc)}
    pending = None
    try:
        pending = HUEY.pending_count()
        checks["queue"] = {"ok": True, "backend": HUEY.__class__.__name__, "pending": pending}
    except Exception as exc:
        checks["queue"] = {"ok": False, "backend": HUEY.__class__.__name__, "error": _error_text(exc)}
    try:
        beat = Heartbeat.objects.filter(name=QUEUE_HEARTBEAT).values_list("at", flat=True).first()
        age = (timezone.now() - beat).total_seconds() if beat else None
        alive = age is not None and age < HEARTBEAT_STALE_AFTER.total_seconds()
        checks["consumer"] = {
            "ok": alive or pending == 0,
            "alive": alive,
            "last_heartbeat": beat.isoformat() if beat else None,
            "heartbeat_age_seconds": None if age is None else int(age),
            "stale_after_seconds": int(HEARTBEAT_STALE_AFTER.total_seconds()),
        }
    except Exception as exc:
        # The heartbeat is in the database: with the database down, the consumer is unknown (null).
        checks["consumer"] = {"ok": None if not checks["database"]["ok"] else False, "alive": None}
        checks["consumer"]["error"] = _error_text(exc)
    down = [name for name, check in checks.items() if check["ok"] is False]
    return JsonResponse(
        {"status": "error" if down else "ok", "down": down, "checks": checks}, status=503 if down else 200
    )


def querystring_without_page(request) -> str:
    """The current filters as a query string ending in '&', for pagination links: without the page
    number or the keyset cursors (after / before)."""
    params = request.GET.copy()
    for key in ("page", "after", "before"):
        params.pop(key, None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def tree_page(request, *, roots, search, template: str, results_template: str, active_nav: str, **extra):
    """The tree browser page of one tree: its top nodes and, with ?q=, search by name or pinyin.

    An htmx request for ?partial=search gets the results alone (live search while typing).
    """
    query = request.GET.get("q", "").strip()
    context = {"roots": roots, "q": query, "active_nav": active_nav, **extra}
    if query:
        context["results"] = search(request.user, query)
    if request.headers.get("HX-Request") and request.GET.get("partial") == "search":
        return render(request, results_template, context)
    return render(request, template, context)
