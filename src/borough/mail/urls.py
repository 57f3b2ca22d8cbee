from django.urls import path

from borough.mail.views import ticket_link

app_name = "mail"

urlpatterns = [
    path("t/<str:token>/", ticket_link.TicketLinkView.as_view(), name="ticket_link"),
]
