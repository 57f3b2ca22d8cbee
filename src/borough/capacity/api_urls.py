"""The line protocol write endpoint, at the paths Telegraf's outputs use: /api/capacity/
write (outputs.influxdb with urls = ["https://borough.example/api/capacity"]) and
/api/v2/write (outputs.influxdb_v2 with urls = ["https://borough.example"])."""

from django.urls import path

from borough.capacity.api import WriteV2View, WriteView

app_name = "capacity-api"

urlpatterns = [
    path("capacity/write", WriteView.as_view(), name="write"),
    path("v2/write", WriteV2View.as_view(), name="write_v2"),
]
