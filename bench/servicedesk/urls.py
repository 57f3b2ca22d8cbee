"""Borough's URLs plus the floor view."""

from django.urls import path

from bench.servicedesk.floor import FloorView
from borough import urls as borough_urls

urlpatterns = [path("bench/floor/", FloorView.as_view(), name="bench-floor"),
               *borough_urls.urlpatterns]

# Django looks the error handlers up on the root URLconf.
handler400 = borough_urls.handler400
handler403 = borough_urls.handler403
handler404 = borough_urls.handler404
handler500 = borough_urls.handler500
