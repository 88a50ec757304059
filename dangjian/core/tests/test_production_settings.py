"""The production settings: HTTPS-only by default once DEBUG is off, `check --deploy` clean with the
environment the README documents, and plain http only where `make run` and the tests say so."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

SHOW_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ('DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', "
    "'SECRET_KEY')}))"
)


def documented_production_env() -> dict[str, str]:
    """The variables of the README's 生产环境 block, with a fresh random key for its placeholder."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    block = readme.split("**生产环境**", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.isupper():
            env[name] = value.split("#", 1)[0].strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """A fresh process with only this environment (not the test suite's)."""
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DANGJIAN_VAR_DIR": str(tmp_path / "var")}
    base["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def settings_under(env: dict[str, str], tmp_path: Path) -> dict:
    result = run(["-c", SHOW_SETTINGS], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = documented_production_env()
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DANGJIAN_HTTPS", "TRUSTED_PROXIES", "DATABASE_URL"} <= env.keys()
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    values = settings_under(env, tmp_path)
    assert values["DEBUG"] is False and values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]  # behind the trusted proxy


def test_with_debug_off_https_is_the_default_and_only_a_trusted_proxy_is_asked_about_it(tmp_path):
    values = settings_under({"SECRET_KEY": secrets.token_urlsafe(50)}, tmp_path)
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] > 0
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # no proxy named: X-Forwarded-Proto means nothing


def test_the_local_demo_speaks_plain_http_with_a_key_kept_in_var(tmp_path):
    # What `make run` sets (see the Makefile's RUN_ENV).
    key_file = tmp_path / "var" / "secret_key"
    env = {"DEBUG": "0", "DANGJIAN_HTTPS": "0", "SECRET_KEY_FILE": str(key_file), "ALLOWED_HOSTS": "127.0.0.1"}
    values = settings_under(env, tmp_path)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert len(values["SECRET_KEY"]) >= 50 and key_file.read_text() == values["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o077 == 0
    assert settings_under(env, tmp_path)["SECRET_KEY"] == values["SECRET_KEY"]  # made once, then kept


def test_without_a_key_the_site_does_not_start_with_debug_off(tmp_path):
    result = run(["-c", SHOW_SETTINGS], {"DEBUG": "0"}, tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_plain_http_is_redirected_except_the_health_probe(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code != 301
