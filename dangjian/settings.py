"""Settings, read from the environment.

DATABASE_URL  SQLite (WAL) under var/ by default; PostgreSQL when set.
DATABASE_REPLICA_URLS  optional, comma-separated: read replicas for figures, lists and exports.
REDIS_URL     optional: cache and task queue move to Redis.
SECRET_KEY    required when DEBUG is off (or SECRET_KEY_FILE); in development a key is generated once into var/.
DANGJIAN_HTTPS  on by default when DEBUG is off: HTTPS only (redirect, HSTS, secure cookies).
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY, or the key kept in the file SECRET_KEY_FILE names (var/secret_key in development),
    made once at random when the file does not exist yet."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = os.environ.get("SECRET_KEY_FILE") or (str(VAR_DIR / "secret_key") if DEBUG else "")
    if not path:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    key_file = Path(path)
    try:  # created readable by this user only, and by one process only
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",
    "captcha",
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.notifications",
    "dangjian.territory",
    "dangjian.units",
    "dangjian.orgs",
    "dangjian.people",
    "dangjian.meetings",
    "dangjian.registration",
    "dangjian.imports",
    "dangjian.centers",
    "dangjian.cases",
    "dangjian.volunteering",
    "dangjian.demands",
    "dangjian.timebank",
    "dangjian.points",
    "dangjian.notices",
    "dangjian.deliberation",
    "dangjian.funds",
    "dangjian.microprojects",
    "dangjian.orglife",
    "dangjian.dues",
    "dangjian.recruitment",
    "dangjian.cobuilding",
    "dangjian.mobilization",
    "dangjian.workforce",
    "dangjian.assessment",
    "dangjian.duties",
    "dangjian.open311",
    "dangjian.audit",
    "dangjian.dashboard",
    "dangjian.cockpit",
    "dangjian.api",
    "dangjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangjian.accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.accounts.middleware.ActiveRoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dangjian.accounts.middleware.TemporaryPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.workbench",
                "dangjian.accounts.context_processors.roles",
            ],
        },
    }
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"
# CONN_HEALTH_CHECKS: a kept connection is checked before the first query of each request or task,
# so one that died with a PostgreSQL restart is replaced instead of failing that request.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# DATABASE_REPLICA_URLS (optional, comma-separated): read replicas of the primary, as replica1..N.
# Figures, lists and exports read from one of them; writes and reads inside a write use the primary
# (dangjian.core.db). Without it there is no router and everything uses `default`.
DATABASE_REPLICA_URLS = os.environ.get("DATABASE_REPLICA_URLS", "")
if DATABASE_REPLICA_URLS.strip():
    from dangjian.core.db import ROUTER, replica_settings

    DATABASES.update(replica_settings(DATABASE_REPLICA_URLS, DATABASES["default"]))
    for _replica in DATABASES.values():
        _replica["CONN_HEALTH_CHECKS"] = True
    DATABASE_ROUTERS = [ROUTER]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and task queue ---------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # While Redis is down or restarting, reads miss and writes are skipped (logged), pages go on
    # (dangjian.core.cache); short socket timeouts so a Redis that hangs does not hang the pages.
    CACHES = {
        "default": {
            "BACKEND": "dangjian.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, "health_check_interval": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dangjian"}}

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("HUEY_NAME", "dangjian"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": os.environ.get("HUEY_NAME", "dangjian"),
        "filename": str(VAR_DIR / os.environ.get("HUEY_FILE", "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- auth and sessions ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dangjian.accounts.backends.UsernameOrMobileBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
# Idle sessions expire, active ones slide: accounts' SlidingSessionMiddleware re-saves a session when its
# last save is older than SESSION_TOUCH_SECONDS (at most a tenth of the age), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = int(os.environ.get("SESSION_TOUCH_SECONDS", 300))
# With Redis, a page reads its session from the cache (written through to the database). Not with the
# per-process local cache: another worker would still hold a session signed out elsewhere.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
SESSION_COOKIE_HTTPONLY = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: this many failures per account (or per address) in the window locks it.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60))
# A temporary password from an administrator's reset signs in for this long, only to be changed.
TEMP_PASSWORD_MAX_AGE_HOURS = int(os.environ.get("TEMP_PASSWORD_MAX_AGE_HOURS", 72))
# Addresses (IPs or CIDRs, comma-separated) of the reverse proxies (nginx) whose X-Forwarded-For is
# believed; from anyone else the header is ignored. Empty: the client is REMOTE_ADDR.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

# --- HTTPS ------------------------------------------------------------------
# DANGJIAN_HTTPS says the site is served over TLS (by itself or by the proxy in front): plain-http
# requests are redirected, browsers are told to keep to HTTPS (HSTS) and cookies travel over HTTPS
# only. On whenever DEBUG is off unless turned off: the local demo (`make run`) and the tests speak
# plain http on this machine and say so.
HTTPS = env_bool("DANGJIAN_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's probe may come over plain http
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list is hard to undo: the operator asks for it (SECURE_HSTS_PRELOAD=1).
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if TRUSTED_PROXIES:
    # The proxy tells whether the browser came over HTTPS. nginx must set the header itself
    # (proxy_set_header X-Forwarded-Proto $scheme;), replacing any a client sent, and the app
    # servers must be reachable through the proxy only.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Image servers (host names, comma-separated) that a centre's photo links may point at over HTTPS,
# e.g. the district's object storage; besides them, only addresses on this site (/static/…).
PHOTO_URL_HOSTS = [h.strip().lower() for h in os.environ.get("PHOTO_URL_HOSTS", "").split(",") if h.strip()]

# --- map --------------------------------------------------------------------
# A Leaflet tile URL template (天地图 / AMap style). Empty: a plain background, works offline.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")


# --- content security policy (django-csp) --------------------------------------
def _tile_source(url: str) -> list[str]:
    """The tile server as a CSP source: "https://t{s}.tianditu.gov.cn/..." -> "https://*.tianditu.gov.cn"."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if not scheme or not host:
        return []
    labels = host.split(".")
    if "{" in labels[0]:  # a subdomain template such as t{s} or webrd0{s}
        labels[0] = "*"
    if any("{" in label for label in labels):
        raise ImproperlyConfigured(f"MAP_TILE_URL: 只有第一级子域名可以用占位符（{{s}}），请检查 {url}")
    return [f"{scheme}://{'.'.join(labels)}"]


# No inline script and no eval, so a slip that lets data reach the page as markup cannot run.
# Styles stay 'unsafe-inline': templates carry <style> blocks and style attributes, htmx adds its
# indicator <style>, Leaflet and ECharts set inline styles; CSS cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *_tile_source(MAP_TILE_URL), *(f"https://{h}" for h in PHOTO_URL_HOSTS)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- the grid index (territory/geo.py, territory/gridcache.py) ----------------
# Seconds between two reads of the grid version token by a process (0: on every lookup). A grid
# write in the same process is seen at once; with REDIS_URL other processes hear of it at once too.
GRID_INDEX_CHECK_SECONDS = float(os.environ.get("GRID_INDEX_CHECK_SECONDS", "5"))

# --- reaching people: channels (notifications/channels/) and phone codes (accounts/phone/) ---
# The console backends print each message and append it to VAR_DIR/outbox.log, so the demo works
# offline (a sign-up code is read there); production names the Tencent Cloud and WeChat backends.
NOTIFY_BACKENDS = {
    "sms": os.environ.get("NOTIFY_SMS_BACKEND", "dangjian.notifications.channels.console.ConsoleSmsBackend"),
    "wechat": os.environ.get("NOTIFY_WECHAT_BACKEND", "dangjian.notifications.channels.console.ConsoleWechatBackend"),
}
TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_APP_ID = os.environ.get("TENCENT_SMS_APP_ID", "")
TENCENT_SMS_SIGN = os.environ.get("TENCENT_SMS_SIGN", "")
TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = os.environ.get("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
TENCENT_SMS_SCHEME = os.environ.get("TENCENT_SMS_SCHEME", "https")
# "event=template id" pairs, comma-separated: TENCENT_SMS_TEMPLATES=verify_code=123456,cases.case.dispatch=234567
TENCENT_SMS_TEMPLATES = dict(
    pair.split("=", 1) for pair in os.environ.get("TENCENT_SMS_TEMPLATES", "").split(",") if "=" in pair
)
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
WECHAT_PAGE = os.environ.get("WECHAT_PAGE", "")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_MESSAGE_KIND = os.environ.get("WECHAT_MESSAGE_KIND", "subscribe")  # or "template"
WECHAT_TEMPLATES = json.loads(os.environ.get("WECHAT_TEMPLATES", "{}"))
# Messages go out on these channels to people who have not chosen (notifications/delivery.py); with
# NOTIFY_OUTSIDE_CHANNELS=0 only the in-app inbox is used. A failed send is tried again after each
# backoff (seconds) up to NOTIFY_MAX_ATTEMPTS times.
NOTIFY_DEFAULT_CHANNELS = ("sms", "wechat")
NOTIFY_OUTSIDE_CHANNELS = env_bool("NOTIFY_OUTSIDE_CHANNELS", True)
NOTIFY_MAX_ATTEMPTS = 5
NOTIFY_BACKOFF = (60, 300, 1800, 7200)
PHONE_CODE_TTL_SECONDS = 300
PHONE_CODE_MAX_TRIES = 5
PHONE_CODE_GAP_SECONDS = 60
PHONE_CODE_MOBILE_PER_HOUR = 5
PHONE_CODE_IP_PER_HOUR = 20
PHONE_CODE_CAPTCHA_AFTER = 3  # requests within an hour (by IP or by mobile) before a picture captcha
PHONE_CODE_VERIFIED_SECONDS = 1800
CAPTCHA_IMAGE_SIZE = (150, 50)
