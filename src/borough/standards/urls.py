"""The standards pages: each part lists its own URL patterns in `urls.py`."""

from importlib import import_module

from borough.standards.registration import PARTS

app_name = "standards"

urlpatterns = []
for _part in PARTS:
    try:
        urlpatterns += import_module(f"borough.standards.{_part}.urls").urlpatterns
    except ModuleNotFoundError as exc:
        if exc.name != f"borough.standards.{_part}.urls":
            raise
