"""Saved views and column choice on any list: the tabs and forms a list page shows
(`list_views_context`), the small POST views behind those forms, and the API."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.core import saved_views
from borough.core.ids import parse_id
from borough.core.models import SavedView
from borough.core.services import StaleVersionError


def list_views_context(request, key: str, base_tabs: list[dict] | None = None) -> dict:
    """What a list page needs for its saved views and columns: the tabs (the list's own
    `base_tabs`, then each view), the view in use, the columns to show and the forms'
    choices. A view is in use when ?view= names one the user can see and the page's
    filters are still the view's (change a filter and it is the list, filtered)."""
    views, own, teams = saved_views.for_list(request.user, key,
                                             getattr(request, "organisation", None))
    asked = parse_id(request.GET.get("view"))
    active = next((v for v in views if v.pk == asked), None)
    chosen = active.columns if active is not None and active.columns else own
    columns = saved_views.columns_of(key)
    shown = saved_views.shown_columns(key, chosen)
    path = request.path
    tabs = [dict(tab, active=tab["active"] and active is None) for tab in base_tabs or []]
    tabs += [{"label": view.name + (f" ({view.team})" if view.team_id else ""),
              "url": f"{path}?{view_query(view)}", "active": view is active,
              "view": view} for view in views]
    query = request.GET.copy()
    for name in saved_views.NOT_KEPT:
        query.pop(name, None)
    writable = active is not None and saved_views.may_write(request.user, active, teams)
    return {
        "list_key": key,
        "view_tabs": tabs,
        "active_view": active,
        "active_view_writable": writable,
        "shown_columns": shown,
        "column_choices": [{"column": c, "shown": c.key in shown} for c in columns],
        # The columns form changes the view's own columns where it has them, else the
        # person's choice; a team view's columns belong to its leads.
        "columns_editable": active is None or not active.columns or writable,
        "current_query": query.urlencode(),
        "share_teams": teams,
        "next_url": request.get_full_path(),
    }


def view_query(view: SavedView) -> str:
    return f"{view.query}&{urlencode({'view': view.pk})}" if view.query else \
        urlencode({"view": view.pk})


def _back(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or fallback
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _problem(request, exc: ValidationError) -> None:
    for text in (exc.message_dict.values() if hasattr(exc, "error_dict")
                 else [exc.messages]):
        for line in text:
            messages.error(request, line)


def _known(key: str) -> list[str]:
    known = [c.key for c in saved_views.columns_of(key)]
    if not known:
        raise Http404("There is no such list.")
    return known


class SaveViewView(LoginRequiredMixin, View):
    """Save the list as the reader sees it (filters, sort, columns) under a name."""

    permission_action = "add"  # a saved view: core.saved_views checks it and the team
    http_method_names = ["post"]

    def post(self, request, key):
        known = _known(key)
        team = (saved_views.team_to_share(request.user, parse_id(request.POST["team"]))
                if request.POST.get("team") else None)
        try:
            view = saved_views.save_view(
                request.user, list_key=key, name=request.POST.get("name", ""),
                query=request.POST.get("query", ""),
                columns=request.POST.getlist("columns"), known_columns=known, team=team)
        except ValidationError as exc:
            _problem(request, exc)
            return HttpResponseRedirect(_back(request))
        messages.success(request, f"View “{view.name}” saved"
                         + (f" for {team}." if team else "."))
        return HttpResponseRedirect(_with_view(_back(request), view))


def _with_view(url: str, view: SavedView) -> str:
    return f"{url.split('?', 1)[0]}?{view_query(view)}"


class ChangeViewView(LoginRequiredMixin, View):
    """Update a saved view to the list as now shown, rename it, or delete it."""

    permission_action = "change"  # or delete: core.saved_views checks which
    http_method_names = ["post"]

    def post(self, request, pk):
        view = get_object_or_404(SavedView.objects.visible_to(request.user), pk=pk)
        known = _known(view.list_key)
        action = request.POST.get("action")
        try:
            if action == "delete":
                saved_views.delete_view(view, request.user)
                messages.success(request, f"View “{view.name}” deleted.")
                return HttpResponseRedirect(_back(request).split("?", 1)[0])
            if action != "update":
                raise ValidationError({"action": "Choose whether to update or delete the view."})
            view = saved_views.update_view(
                view, request.user, known_columns=known,
                query=request.POST.get("query"),
                name=request.POST.get("name") or None,
                columns=request.POST.getlist("columns") if "columns" in request.POST else None,
                expected_version=parse_id(request.POST.get("version")))
        except ValidationError as exc:
            _problem(request, exc)
            return HttpResponseRedirect(_back(request))
        except StaleVersionError:
            messages.error(request, "Someone changed this view while you were looking at it. "
                                    "It is shown as it is now: make your change again.")
            return HttpResponseRedirect(_with_view(_back(request), view))
        messages.success(request, f"View “{view.name}” updated.")
        return HttpResponseRedirect(_with_view(_back(request), view))


class ColumnsView(LoginRequiredMixin, View):
    """Choose the list's columns: the view in use's, where the reader may change it,
    else the reader's own for that list."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, key):
        known = _known(key)
        chosen = request.POST.getlist("columns")
        view = SavedView.objects.visible_to(request.user).filter(
            list_key=key, pk=parse_id(request.POST.get("view"))).first()
        try:
            if view is not None and view.columns:
                saved_views.update_view(view, request.user, known_columns=known,
                                        columns=chosen or known)
            else:
                saved_views.set_columns(request.user, key, chosen, known)
        except ValidationError as exc:
            _problem(request, exc)
        else:
            messages.success(request, "Columns changed.")
        return HttpResponseRedirect(_back(request))


class SavedViewSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = SavedView
        fields = ["id", "list_key", "name", "query", "columns", "owner", "team", "version"]
        read_only_fields = ["owner", "team", "version"]


class SavedViewCreateSerializer(SavedViewSerializer):
    team = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="Share with this team (its leads only).")

    class Meta(SavedViewSerializer.Meta):
        read_only_fields = ["owner", "version"]

    def to_representation(self, instance):
        return SavedViewSerializer(instance, context=self.context).data


def _api_error(exc: ValidationError):
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


@extend_schema(parameters=[OpenApiParameter("list", str, description="Only this list's "
                                            "views, e.g. servicedesk.ticket")])
class SavedViewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's saved list views and their teams' (the tabs above lists)."""

    permission_classes = [IsAuthenticated]
    serializer_class = SavedViewSerializer
    queryset = SavedView.objects.none()

    @extend_schema(request=SavedViewCreateSerializer, responses={201: SavedViewSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def get_queryset(self):
        qs = SavedView.objects.visible_to(self.request.user)
        if self.request.query_params.get("list"):
            qs = qs.filter(list_key=self.request.query_params["list"][:100])
        return qs

    def get_serializer_class(self):
        return SavedViewCreateSerializer if self.action == "create" else SavedViewSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        team = saved_views.team_to_share(self.request.user, data["team"]) \
            if data.get("team") else None
        known = [c.key for c in saved_views.columns_of(data["list_key"])]
        if not known:
            raise serializers.ValidationError({"list_key": "There is no such list."})
        try:
            serializer.instance = saved_views.save_view(
                self.request.user, list_key=data["list_key"], name=data["name"],
                query=data.get("query", ""), columns=data.get("columns", []),
                known_columns=known, team=team)
        except ValidationError as exc:
            raise _api_error(exc) from exc

    def perform_update(self, serializer):
        data = serializer.validated_data
        view = serializer.instance
        if "list_key" in data and data["list_key"] != view.list_key:
            raise serializers.ValidationError({"list_key": "A view stays with its list."})
        try:
            serializer.instance = saved_views.update_view(
                view, self.request.user,
                known_columns=[c.key for c in saved_views.columns_of(view.list_key)],
                name=data.get("name"), query=data.get("query"), columns=data.get("columns"))
        except ValidationError as exc:
            raise _api_error(exc) from exc

    def perform_destroy(self, instance: Model):
        saved_views.delete_view(instance, self.request.user)


class ListColumnsSerializer(serializers.Serializer):
    list_key = serializers.CharField(max_length=100, help_text="The list, e.g. servicedesk.ticket")
    columns = serializers.ListField(child=serializers.CharField(max_length=50), max_length=50,
                                    help_text="The columns to show (the required ones always are).")


def _list_columns(key: str) -> list[str]:
    known = [c.key for c in saved_views.columns_of(key)]
    if not known:
        raise serializers.ValidationError({"list_key": "There is no such list."})
    return known


class ListColumnsViewSet(viewsets.ViewSet):
    """The caller's own choice of columns for a list (what the list pages' "Columns" sets)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("list", str, required=True,
                                                description="The list, e.g. servicedesk.ticket")],
                   responses={200: ListColumnsSerializer})
    def list(self, request):
        key = request.query_params.get("list", "")[:100]
        _list_columns(key)
        chosen = saved_views.columns_for(request.user, key)
        return Response({"list_key": key, "columns": saved_views.shown_columns(key, chosen)})

    @extend_schema(request=ListColumnsSerializer, responses={200: ListColumnsSerializer})
    def create(self, request):
        serializer = ListColumnsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.validated_data["list_key"]
        known = _list_columns(key)
        try:
            saved_views.set_columns(request.user, key, serializer.validated_data["columns"], known)
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return Response({"list_key": key, "columns": saved_views.shown_columns(
            key, saved_views.columns_for(request.user, key))})
