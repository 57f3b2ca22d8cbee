"""Finance over the API beyond the registered models: budget monitoring and total costs
of a year (read-only, the same figures as the pages), and recharge runs: list, read,
run a year (POST), issue (POST …/issue/) and a unit's statement (…/statement/?unit=)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.core import scope
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import ORGANISATION_HEADER, ScopedListMixin
from borough.finance import costs, filters, monitoring, queries, services
from borough.finance import models as m
from borough.finance.years import FinancialYear, current
from borough.organisation.models import ServiceUnit

YEAR = OpenApiParameter("year", OpenApiTypes.STR,
                        description="A financial year like 2025/26 (the current one if "
                                    "left out).")
# Error responses (400, 401, 403, 404, 409…) are added to every operation by
# core.api.schema, with their bodies.


def year_of(request, allowed=("year", "format")) -> FinancialYear:
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}; the "
                                         f"parameters here are {', '.join(allowed)}."})
    text = request.query_params.get("year")
    if not text:
        return current()
    try:
        return FinancialYear.parse(text)
    except ValueError as error:
        raise ValidationError({"year": str(error)}) from None


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(source="start")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast = serializers.DecimalField(
        max_digits=14, decimal_places=2,
        help_text="Actual + committed in the month, + its budget while it has not started.")
    budget_to_month = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The budget of the year to the month's end.")
    forecast_to_month = serializers.DecimalField(
        max_digits=14, decimal_places=2,
        help_text="The forecast of the year to the month's end (March's: the outturn).")
    started = serializers.BooleanField()


class MonitoringRowSerializer(serializers.Serializer):
    cost_centre = serializers.CharField(source="cost_centre.code", allow_null=True,
                                        default=None)
    cost_centre_id = serializers.IntegerField(source="cost_centre.pk", allow_null=True,
                                              default=None)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast = serializers.DecimalField(
        max_digits=14, decimal_places=2,
        help_text="Actual + open commitments + the budget of the months not yet started.")
    variance = serializers.DecimalField(max_digits=14, decimal_places=2,
                                        help_text="Budget less forecast: negative is an "
                                                  "overspend.")
    months = MonthSerializer(many=True)


class MonitoringSerializer(serializers.Serializer):
    year = serializers.CharField()
    as_of = serializers.DateField(source="today")
    rows = MonitoringRowSerializer(many=True)
    totals = MonitoringRowSerializer()


class MonitoringViewSet(viewsets.ViewSet):
    """Budget against actual and committed per cost centre and month, with the forecast
    outturn (docs/finance.md). For those who may view budgets."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[YEAR, ORGANISATION_HEADER],
                   responses={200: MonitoringSerializer})
    def list(self, request):
        if not scope.can(request.user, "view", m.Budget, None):
            raise PermissionDenied("Your role does not allow you to view budgets.")
        year = year_of(request)
        found = monitoring.monitor(request.user.active_organisation_id, year,
                                   timezone.localdate())
        for row in found.rows:
            row.running()
        totals = found.totals
        totals.running()
        return Response(MonitoringSerializer({"year": year.label, "today": found.today,
                                              "rows": found.rows,
                                              "totals": totals}).data)


class PartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(costs.KIND_LABELS))
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class CostRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["system", "service"])
    name = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    parts = PartSerializer(many=True)


class TotalCostViewSet(viewsets.ViewSet):
    """The total cost of every system and business service in a year: contracts (pro-rated
    to the days of their terms), cost lines, licences, staff time logged on tickets and a
    share of infrastructure (docs/finance.md, "Total cost")."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[YEAR, ORGANISATION_HEADER],
                   responses={200: CostRowSerializer(many=True)})
    def list(self, request):
        if not scope.can(request.user, "view", m.CostLine, None):
            raise PermissionDenied("Your role does not allow you to view costs.")
        year = year_of(request)
        found = costs.organisation_costs(request.user.active_organisation_id, year)
        from borough.catalogue.models import BusinessService
        from borough.cmdb.models import ConfigurationItem

        names = dict(ConfigurationItem.objects.visible_to(request.user)
                     .filter(pk__in=list(found.systems)).values_list("pk", "name"))
        service_names = dict(BusinessService.objects.visible_to(request.user)
                             .filter(pk__in=list(found.services)).values_list("pk", "name"))
        rows = ([{"id": pk, "kind": "system", "name": names[pk], "total": t.total,
                  "parts": t.parts} for pk, t in found.systems.items() if pk in names]
                + [{"id": pk, "kind": "service", "name": service_names[pk], "total": t.total,
                    "parts": t.parts} for pk, t in found.services.items()
                   if pk in service_names])
        rows.sort(key=lambda r: (r["kind"], r["name"], r["id"]))
        return Response(CostRowSerializer(rows, many=True).data)


class RunStatementSerializer(serializers.Serializer):
    service_unit = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.name")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    url = serializers.CharField(help_text="The statement's API address.")
    page = serializers.CharField(help_text="The statement's page (also …pdf/ and …xlsx/).")


class RechargeRunSerializer(BaseModelSerializer):
    """A run in the history: who worked it out and when, its totals, whether it was
    issued (by whom), is a draft, or was superseded (by which run), and its statements.
    The list works out `superseded_by` and `statements` for a whole page at once
    (RechargeRunViewSet.get_serializer)."""

    year_label = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(
        help_text="issued; draft (the year's latest, to check and issue); superseded (a "
                  "later run of its year, or its issued run, counts instead).")
    superseded_by = serializers.SerializerMethodField(
        help_text="The reference of the run that counts instead, if superseded.")
    statements = serializers.SerializerMethodField()

    class Meta:
        model = m.RechargeRun
        fields = [*BaseModelSerializer.base_fields(), "reference", "year", "year_label",
                  "run_at", "run_by", "total", "unallocated", "issued_at", "issued_by",
                  "status", "superseded_by", "statements"]
        read_only_fields = fields

    def get_year_label(self, run) -> str:
        return FinancialYear(run.year).label

    def _superseded(self, run):
        known = self.context.get("superseded")
        return (known if known is not None else queries.superseded_by([run])).get(run.pk)

    def get_status(self, run) -> str:
        if run.issued_at is not None:
            return "issued"
        return "superseded" if self._superseded(run) is not None else "draft"

    def get_superseded_by(self, run) -> str | None:
        other = self._superseded(run)
        return other.reference if other is not None else None

    @extend_schema_field(RunStatementSerializer(many=True))
    def get_statements(self, run) -> list[dict]:
        known = self.context.get("statements")
        rows = (known if known is not None else queries.run_statements([run])).get(run.pk, [])
        return RunStatementSerializer([{
            "unit": unit, "total": total,
            "url": f"{reverse('api:finance-rechargerun-statement', args=[run.pk])}"
                   f"?unit={unit.pk}",
            "page": reverse("finance:statement", args=[run.pk, unit.pk])}
            for unit, total in rows], many=True).data


class RechargeLineSerializer(serializers.ModelSerializer):
    basis_label = serializers.CharField(source="get_basis_display")
    share_percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)

    class Meta:
        model = m.RechargeLine
        fields = ["id", "service_unit", "pool", "pool_name", "basis", "basis_label",
                  "measure", "total_measure", "share_percent", "pool_amount", "amount"]


class StatementSerializer(serializers.Serializer):
    run = serializers.CharField(source="run.reference")
    year = serializers.CharField()
    service_unit = serializers.CharField(source="unit.name")
    issued = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = RechargeLineSerializer(many=True)


class RunRequestSerializer(serializers.Serializer):
    year = serializers.CharField(help_text="The financial year to recharge, like 2025/26.")


@extend_schema(parameters=[ORGANISATION_HEADER])
class RechargeRunViewSet(ScopedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Recharge runs (finance roles), their issue, and each unit's statement (finance
    roles, and a head of service for their own unit in an issued run)."""

    model = m.RechargeRun
    serializer_class = RechargeRunSerializer
    filterset_class = filters.RechargeRunFilterSet
    ordering_fields = ("year", "run_at", "id")
    action_permissions = {"issue": "change", "create": "add"}

    @property
    def permission_model(self):
        return m.RechargeLine if self.action in ("statement", "retrieve") else m.RechargeRun

    def get_queryset(self):
        return queries.runs_visible_to(self.request.user).order_by("-year", "-run_at", "-id")

    def get_serializer(self, *args, **kwargs):
        # A page of runs: which are superseded and their statements, in a few queries for
        # the whole page rather than a few per run.
        if kwargs.get("many") and args:
            runs = list(args[0])
            context = self.get_serializer_context()
            context.update(superseded=queries.superseded_by(runs),
                           statements=queries.run_statements(runs))
            return self.get_serializer_class()(runs, many=True, context=context)
        return super().get_serializer(*args, **kwargs)

    def get_object(self):
        # The runs this person may open are get_queryset's; a head of service holds no
        # permission on runs themselves, only on their unit's lines.
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            raise NotFound("No such recharge run.") from None
        run = self.get_queryset().filter(pk=pk).first()
        if run is None:
            raise NotFound("No such recharge run.")
        return run

    @extend_schema(request=RunRequestSerializer,
                   responses={201: RechargeRunSerializer},
                   summary="Run the recharge of a year",
                   description="Shares every cost pool of the year among the service units "
                               "by its rule (docs/finance.md). 400 lists every problem "
                               "(nothing saved), or says the year's recharge was issued.")
    def create(self, request):
        if not scope.can(request.user, "add", m.RechargeRun, None):
            raise PermissionDenied("Your role does not allow you to run recharges.")
        body = RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            year = FinancialYear.parse(body.validated_data["year"])
            run = services.run_recharges(request.user.active_organisation_id, year,
                                         actor=request.user)
        except ValueError as error:
            raise ValidationError({"year": str(error)}) from None
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from None
        return Response(RechargeRunSerializer(run, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RechargeRunSerializer},
                   summary="Issue the run's statements")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        if not scope.can(request.user, "change", m.RechargeRun, None):
            raise PermissionDenied("Your role does not allow you to issue recharges.")
        run = self.get_object()
        try:
            run = services.issue_run(run, actor=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from None
        return Response(RechargeRunSerializer(run, context=self.get_serializer_context()).data)

    @extend_schema(parameters=[OpenApiParameter("unit", OpenApiTypes.INT, required=True,
                                                description="The service unit's id.")],
                   responses={200: StatementSerializer},
                   summary="A service unit's recharge statement")
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        run = self.get_object()
        try:
            unit_id = int(request.query_params.get("unit", ""))
        except ValueError:
            raise ValidationError({"unit": "Give the service unit's id."}) from None
        unit = ServiceUnit.objects.filter(organisation_id=run.organisation_id,
                                          pk=unit_id).first()
        lines = queries.statement_lines(request.user, run, unit) if unit else []
        if not lines:
            raise NotFound("No such statement.")
        return Response(StatementSerializer({
            "run": run, "unit": unit, "year": FinancialYear(run.year).label,
            "issued": run.issued_at is not None,
            "total": sum((line.amount for line in lines), 0), "lines": lines}).data)
