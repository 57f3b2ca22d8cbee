"""The floor: a bare authenticated Django view doing the queue page's database work.

It goes through the same middleware (session, user, active organisation,
security headers) and runs the queue's two essential queries — the count and
the first page of 25 open tickets with the same joins and order — through the
same scoped queryset, then returns plain text. No filter form, table,
template, navigation or per-row SLA state. Each page's latency is reported as
a multiple of this one's.

The joins follow the queue's: seven relations until issue 3's work, now the
requester and the assignee (the queue takes teams and service units from the
filter panel's lists, which are page work, not floor work); the team is shown
by id here.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.views import View

from borough.servicedesk.models import OPEN_STATUSES, Ticket


class FloorView(LoginRequiredMixin, View):
    permission_action = "view"

    def get(self, request):
        qs = Ticket.objects.visible_to(request.user).select_related("requester", "assignee")
        statuses = request.GET.getlist("status") or OPEN_STATUSES
        qs = qs.filter(status__in=statuses)
        if priorities := request.GET.getlist("priority"):
            qs = qs.filter(priority__in=priorities)
        qs = qs.order_by("resolution_due_at", "-priority", "created_at")
        total = qs.count()
        rows = [
            f"{t.reference}\t{t.title}\t{t.priority}\t{t.status}\t{t.requester}\t{t.team_id}\t"
            f"{t.assignee}\t{t.resolution_due_at:%d %b %H:%M}" if t.resolution_due_at else
            f"{t.reference}\t{t.title}"
            for t in qs[:25]
        ]
        return HttpResponse(f"{total}\n" + "\n".join(rows), content_type="text/plain")
