from __future__ import annotations

from rest_framework.routers import DefaultRouter

from borough.core.ids import ID_PATTERN


class Router(DefaultRouter):
    """The API's router. A record's id in a URL is digits, for every viewset and each of
    its detail actions, unless the viewset sets its own `lookup_value_regex`: `/false/`
    is a 404 from the URL resolver, never a ValueError in a view."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._default_value_pattern = ID_PATTERN  # DRF's default is anything up to / or .
