"""Settings for the test suite: production settings with a fixed key, served over plain HTTP.

The environment still decides the database and Redis (CI runs the suite on both backends).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DANGJIAN_HTTPS", "0")  # the test client and the live server speak plain http
os.environ.setdefault("HUEY_FILE", "huey-test.sqlite3")
os.environ.setdefault("HUEY_NAME", "dangjian-test")

from dangjian.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only

# Serve static files straight from the source folders, as `runserver` does (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
