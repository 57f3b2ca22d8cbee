"""The commercial pages beyond the generic ones: a supplier's page (its whole history), a
contract's page (its dates, what it covers, its actions), recording a supplier review
with its scores, adding a cover or a reason from another page, the renewals of the next
twelve months with their calendar addresses, and the calendar feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from borough.commercial import calendar, filters, forms, queries, services
from borough.commercial import models as m
from borough.core import scope
from borough.core.actions import offered
from borough.core.api.viewsets import model_key
from borough.core.charts import Chart, Series
from borough.core.forms import add_service_error
from borough.core.ids import parse_id
from borough.core.registry import registry
from borough.core.views import feeds as feeds_views
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectCreateView, ObjectDetailView


class SupplierDetailView(ObjectDetailView):
    template_name = "commercial/supplier_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("manager").prefetch_related("categories")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        supplier, user = context["object"], self.request.user
        today = timezone.localdate()
        history = queries.supplier_history(supplier, user, today)
        context.update(
            history=history, today=today, values_shown=queries.shows_values(user),
            review_overdue=bool(history.next_review_due and history.next_review_due < today),
            may={"add_contact": scope.can(user, "add", m.SupplierContact, None),
                 "add_contract": scope.can(user, "add", m.Contract, None),
                 "add_review": scope.can(user, "add", m.SupplierReview, None)})
        return context


class ContractDetailView(ObjectDetailView):
    template_name = "commercial/contract_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("supplier", "owner", "notice_given_by",
                                                     "renewal_agreed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract, user = context["object"], self.request.user
        today = timezone.localdate()
        open_ = {name.replace("-", "_") for name in services.actions_open(contract)}
        context.update(
            dated=queries.ContractDates(contract, today), today=today,
            covers=list(m.ContractCover.objects.visible_to(user).filter(contract=contract)
                        .select_related("configuration_item__ci_class", "service")
                        .order_by("configuration_item__name", "service__name", "pk")),
            reviews=list(m.SupplierReview.objects.visible_to(user).filter(contracts=contract)
                         .select_related("reviewer").order_by("-held_on", "-pk")[:10]),
            may={"add_cover": scope.can(user, "add", m.ContractCover, None),
                 "delete_cover": scope.can(user, "delete", m.ContractCover, None)},
            record_actions=[(o.action, o.url, o.action.form(record=contract, user=user))
                            for name, o in offered(services.CONTRACT_ACTIONS, contract, user,
                                                   "commercial:contract").items()
                            if name in open_])
        return context


class SupplierReviewDetailView(ObjectDetailView):
    template_name = "commercial/supplierreview_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("supplier", "reviewer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = context["object"]
        context["scores"] = list(m.SupplierReviewScore.objects.visible_to(self.request.user)
                                 .filter(review=review).select_related("criterion"))
        return context


class PreselectingCreateView(ObjectCreateView):
    """An add page started from another record's page: `?<field>=<id>` for each of
    `preselect` fills the form (the form still checks the id), and saving goes back to the
    record named by `back_to`."""

    preselect: tuple[str, ...] = ()
    back_to: str | None = None

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None:
            for name in self.preselect:
                if (value := parse_id(self.request.GET.get(name, ""))) is not None:
                    form.initial[name] = value
        return form

    def detail_url(self, obj) -> str:
        target = getattr(obj, self.back_to, None) if self.back_to else None
        return target.get_absolute_url() if target is not None else super().detail_url(obj)


class ContractCoverCreateView(PreselectingCreateView):
    preselect = ("contract", "configuration_item", "service")
    back_to = "contract"


class SupplierContactCreateView(PreselectingCreateView):
    preselect = ("supplier",)
    back_to = "supplier"


class ContractCreateView(PreselectingCreateView):
    preselect = ("supplier",)


class UncontractedSystemCreateView(PreselectingCreateView):
    preselect = ("configuration_item",)
    back_to = "configuration_item"


class RecordReviewView(EntryViewMixin, TemplateView):
    """Record a review of a supplier: the date, who led it, a score for each of the
    council's criteria, the contracts gone through and the actions agreed."""

    entry = registry.get(m.SupplierReview)
    permission_action = "add"
    template_name = "commercial/record_review.html"

    def get_supplier(self):
        return get_object_or_404(m.Supplier.objects.visible_to(self.request.user),
                                 pk=self.kwargs["pk"])

    def form(self, data=None):
        supplier = self.get_supplier()
        criteria = m.ReviewCriterion.objects.visible_to(self.request.user).filter(
            is_active=True)
        instance = m.SupplierReview(organisation_id=supplier.organisation_id, supplier=supplier)
        return supplier, forms.RecordReviewForm(data, instance=instance, user=self.request.user,
                                                supplier=supplier, criteria=criteria)

    def get(self, request, pk):
        supplier, form = self.form()
        return self.render_to_response(self.get_context_data(form=form, supplier=supplier))

    def post(self, request, pk):
        supplier, form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_review(
                    supplier, actor=request.user, held_on=data["held_on"],
                    reviewer=data["reviewer"], scores=form.scores(),
                    contracts=data["contracts"], service_levels=data["service_levels"],
                    actions=data["actions"], summary=data["summary"],
                    idempotency_key=model_key(m.SupplierReview, data.get("submission_key")))
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                supplier.refresh_from_db()
                due = supplier.next_review_due(services.last_reviews([supplier.pk]).get(
                    supplier.pk))
                said = "Review recorded."
                if due:
                    said += f" The next is due by {due:%-d %B %Y}."
                messages.success(request, said)
                return HttpResponseRedirect(supplier.get_absolute_url() + "#reviews")
        return self.render_to_response(self.get_context_data(form=form, supplier=supplier),
                                       status=400)


# --- renewals -------------------------------------------------------------------------------


def value_chart(found: queries.Renewals) -> Chart:
    return Chart(
        title="Value at stake by month",
        description="The annual value of the contracts whose current term ends in each of "
                    "the next twelve months.",
        x_labels=[f"{month.start:%b %Y}" for month in found.months],
        series=[Series("Value at stake", [month.value for month in found.months])],
        unit="£", decimals=2, x_title="Month", key="renewals-value",
        empty_text="No contract with an annual value ends in the next twelve months.")


# A council with more dates than this in the year reads them a month at a time (a page
# of 10,000 contracts' dates would take seconds to draw and to read); the overdue ones the
# first OVERDUE_LISTED, then all on asking.
EVENTS_ON_ONE_PAGE = 150
OVERDUE_LISTED = 25
# A month's dates listed a page at a time (a big council's month holds hundreds).
DATES_ON_A_PAGE = 100


class RenewalsView(EntryViewMixin, TemplateView):
    """The next twelve months of notice and end dates, by month, with the value at stake,
    for the contracts chosen by supplier, owner or kind."""

    def shown_months(self, months: list[queries.RenewalMonth]) -> list[queries.RenewalMonth]:
        """Every month's dates, or with many, those of the month asked for (`?month=`
        2027-03), else of the first month with any."""
        if sum(m.dates for m in months) <= EVENTS_ON_ONE_PAGE:
            return months
        asked = self.request.GET.get("month", "")
        chosen = [m for m in months if f"{m.start:%Y-%m}" == asked]
        return chosen or [next((m for m in months if m.dates), months[0])]

    entry = registry.get(m.Contract)
    permission_action = "view"
    template_name = "commercial/renewals.html"

    def get(self, request, *args, **kwargs):
        filterset = filters.RenewalsFilterSet(request.GET or None, request=request,
                                              queryset=m.Contract.objects.visible_to(
                                                  request.user))
        if filterset.is_bound and not filterset.is_valid():
            return self.render_to_response(self.get_context_data(filterset=filterset),
                                           status=400)
        shown: list[queries.RenewalMonth] = []

        def listed(months):
            shown.extend(self.shown_months(months))
            return shown

        found = queries.renewals(filterset.qs, timezone.localdate(), user=request.user,
                                 listed=listed)
        # Values at stake are for those who see every contract's value (core.restricted).
        values_shown = queries.shows_values(request.user)
        query = request.GET.copy()
        for name in ("month", "overdue", "page"):
            query.pop(name, None)
        overdue = (found.overdue if request.GET.get("overdue") == "all"
                   else found.overdue[:OVERDUE_LISTED])
        by_month = found.dates > EVENTS_ON_ONE_PAGE
        listing, page = [], None
        for month in shown:
            events = month.events
            if by_month:  # one month: its dates a page at a time
                page = Paginator(events, DATES_ON_A_PAGE).get_page(request.GET.get("page"))
                events = list(page.object_list)
            listing.append((month, events))
        queries.with_parties([e.contract for _, events in listing for e in events]
                             + [d.contract for d in overdue])
        return self.render_to_response(self.get_context_data(
            filterset=filterset, renewals=found, values_shown=values_shown,
            chart=value_chart(found) if values_shown else None,
            shown=shown, listing=listing, page_obj=page, by_month=by_month,
            overdue=overdue, query=query.urlencode(),
            feeds=m.CalendarFeed.objects.filter(user=request.user,
                                                organisation_id=request.user
                                                .active_organisation_id,
                                                revoked_at__isnull=True).count()))


class CalendarFeedsView(EntryViewMixin, TemplateView):
    """The signed-in person's secret addresses of the renewals calendar: make one (shown
    once), see those that work and when each was last read, stop one."""

    entry = registry.get(m.Contract)
    permission_action = "view"
    template_name = "commercial/calendar_feeds.html"

    def feeds(self):
        return list(m.CalendarFeed.objects.filter(
            user=self.request.user, organisation_id=self.request.user.active_organisation_id,
            revoked_at__isnull=True))

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(feeds=self.feeds(),
                                                             form=forms.FeedForm()))

    def post(self, request, *args, **kwargs):
        form = forms.FeedForm(request.POST)
        key = form.cleaned_data["submission_key"] if form.is_valid() else ""
        feed, raw = services.create_feed(request.user, request.user.active_organisation_id,
                                         actor=request.user, idempotency_key=key or None)
        if feed is None:
            messages.info(request, "That was sent twice: the address was made the first "
                                   "time. If you did not copy it, stop it and make another.")
            return HttpResponseRedirect(reverse("commercial:calendar_feeds"))
        address = request.build_absolute_uri(reverse("commercial:calendar_feed",
                                                     args=[raw]))
        return self.render_to_response(self.get_context_data(
            feeds=self.feeds(), form=forms.FeedForm(), new_address=address, new=feed))


class CalendarFeedRevokeView(feeds_views.FeedRevokeView):
    model = m.CalendarFeed
    back = "commercial:calendar_feeds"


class CalendarFeedView(View):
    """The renewals calendar (iCalendar, RFC 5545) at a secret address, for calendar
    programs, which cannot sign in: the notice and end dates of the contracts its owner
    may read in its organisation. Read-only; an unknown or stopped address is a 404."""

    permission_action = "public"
    http_method_names = ["get", "head"]

    def get(self, request, secret):
        user = services.feed_reader(secret)
        if user is None:
            raise Http404("No such calendar.")
        today = timezone.localdate()
        events = queries.calendar_events(m.Contract.objects.visible_to(user), today,
                                         user=user)
        body = calendar.render(events, base_url=request.build_absolute_uri("/"),
                               name="Contract renewals")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="renewals.ics"'
        response["Cache-Control"] = "private, max-age=900"
        response["X-Robots-Tag"] = "noindex"
        return response
