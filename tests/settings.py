"""Test overrides: fast password hashing, in-memory mail, private data directory."""

import os
import tempfile

os.environ.setdefault("BOROUGH_MODE", "test")
os.environ.setdefault("BOROUGH_DATA_DIR", tempfile.mkdtemp(prefix="borough-test-"))

from borough.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
DEBUG = False
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so concurrency tests get real separate connections (WAL).
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["BOROUGH_DATA_DIR"], "test.sqlite3")}  # noqa: F405
