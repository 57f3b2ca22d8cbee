import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
application = get_wsgi_application()

# Load the bank-holiday tables now rather than on a worker's first SLA request (~1.7 s).
from borough.organisation.queries import warm_calendars  # noqa: E402

warm_calendars()
