"""Borough's own settings, plus the benchmark's floor view at /bench/floor/.

Selected with DJANGO_SETTINGS_MODULE=bench.servicedesk.settings (and the
repository root on PYTHONPATH) so the benchmark can add its view without
touching src/. Nothing else differs from production.
"""

from borough.settings import *  # noqa: F403

ROOT_URLCONF = "bench.servicedesk.urls"
