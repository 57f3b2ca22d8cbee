"""Test overrides: fast password hashing, in-memory mail, private data directory."""

import os
import tempfile

os.environ.setdefault("BOROUGH_MODE", "test")
os.environ.setdefault("BOROUGH_DATA_DIR", tempfile.mkdtemp(prefix="borough-test-"))
# Each xdist worker a directory of its own: the workers inherit the controller's, and
# files named by a record's id (a running task's progress, core.background) would be
# shared by two workers' databases, whose ids both start at 1 (a task then looked
# claimed by the other worker's runner).
if (worker := os.environ.get("PYTEST_XDIST_WORKER")) and \
        os.path.basename(os.environ["BOROUGH_DATA_DIR"]) != worker:
    os.environ["BOROUGH_DATA_DIR"] = os.path.join(os.environ["BOROUGH_DATA_DIR"], worker)

from borough.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
DEBUG = False
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so concurrency tests get real separate connections (WAL).
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["BOROUGH_DATA_DIR"], "test.sqlite3")}  # noqa: F405
