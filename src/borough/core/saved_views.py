"""Saved views and column choices for any list: how each person keeps the lists they work.

A saved view is a list's query string (its filters and sort) and columns under a name,
for its owner or shared with a team; the list shows them as tabs. A team's views are
written by the team's leads, and by roles holding `core.share_any_team_savedview`. A
person's column choice for a list applies wherever no saved view names columns.
Writes go through core's services, so each is permission-checked and audited."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core import scope, services
from borough.core.models import ListPreference, SavedView
from borough.core.perf.cache import LocalCache
from borough.core.registry import registry

# Never part of a view: where the reader was, and how the page was asked for.
NOT_KEPT = frozenset({"page", "view", "csrfmiddlewaretoken", "submission_key"})
MAX_QUERY = 1000
SHARE_ANY = "core.share_any_team_savedview"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False  # always shown: the record's link, what identifies a row
    default: bool = True  # shown to someone who never chose
    sort: str = ""  # the ?sort= key its heading sorts by, if it sorts


def list_key(model) -> str:
    return model._meta.label_lower


def columns_of(key: str) -> list[Column]:
    """The list's columns: declared (registry.list_columns), else its table's, the
    first (the record's link) always shown."""
    if key in registry.list_columns:
        return registry.list_columns[key]
    entry = next((e for e in registry.all() if list_key(e.model) == key), None)
    if entry is None or entry.table is None:
        return []
    from borough.core.views.lists import bound_columns

    return [Column(c.name, str(c.header), required=i == 0)
            for i, c in enumerate(bound_columns(entry.table, entry.model))]


def shown_columns(key: str, chosen: list[str] | None) -> list[str]:
    """The keys to show: the chosen ones (required ones always), else the defaults."""
    columns = columns_of(key)
    if not chosen:
        return [c.key for c in columns if c.required or c.default]
    return [c.key for c in columns if c.required or c.key in chosen]


def _teams():
    return apps.get_model(settings.BOROUGH_TEAM_MODEL)


def views_for(user, list_key: str) -> list[SavedView]:
    """The user's own views of the list, then their teams' (by name)."""
    views = SavedView.objects.visible_to(user).filter(list_key=list_key).select_related("team")
    return sorted(views, key=lambda v: (v.team_id is not None, v.name.lower(), v.pk))


_per_person = LocalCache("saved-views", size=2048)


def for_list(user, key: str, organisation=None) -> tuple[tuple, list[str] | None, tuple]:
    """(views_for, columns_for, shareable_teams) of the user for a list, kept per process
    under the organisation's config stamp: saved views, column choices and team
    memberships feed it (core.perf.stamps), so a change anywhere is seen on the next
    request, and a list page reads none of the three again. Built afresh without the
    organisation's row (its stamp) at hand."""
    def build():
        return (tuple(views_for(user, key)), columns_for(user, key),
                tuple(shareable_teams(user)))

    version = getattr(organisation, "config_version", None) if organisation else None
    if version is None or organisation.pk != getattr(user, "active_organisation_id", None):
        return build()
    share_any = organisation.pk in scope.organisation_ids(user, SHARE_ANY)
    return _per_person.get_or_build((organisation.pk, version, user.pk, key, share_any), build)


def shareable_teams(user) -> list:
    """The teams the user may share views with: all active ones with the permission to,
    else those they lead."""
    teams = _teams().objects.visible_to(user).filter(is_active=True)
    organisation_id = getattr(user, "active_organisation_id", None)
    if organisation_id in scope.organisation_ids(user, SHARE_ANY):
        return list(teams)
    return list(teams.filter(memberships__person__user=user, memberships__is_lead=True,
                             memberships__person__is_active=True).distinct())


def may_write(user, view: SavedView, teams=None) -> bool:
    """Its owner writes a personal view; a team's, whoever may share with the team
    (`teams`: the user's shareable teams, if already at hand)."""
    if view.team_id is None:
        return view.owner_id == user.pk
    teams = shareable_teams(user) if teams is None else teams
    return any(team.pk == view.team_id for team in teams)


def team_to_share(user, team_id):
    """The team, by id, among those the user may share views with; refused otherwise."""
    team = next((t for t in shareable_teams(user) if t.pk == team_id), None)
    if team is None:
        raise PermissionDenied("You can share views only with teams you lead.")
    return team


def clean_query(query: str) -> str:
    """The query string without the page, the view's own marker or tokens."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False)
             if k not in NOT_KEPT]
    cleaned = urlencode(pairs)
    if len(cleaned) > MAX_QUERY:
        raise ValidationError({"query": f"These filters are too long to save "
                                        f"(over {MAX_QUERY} characters). Use fewer."})
    return cleaned


def clean_columns(columns, known: list[str]) -> list[str]:
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValidationError({"columns": f"Unknown column {', '.join(map(str, unknown[:5]))}. "
                                          f"Choose from: {', '.join(known)}."})
    return [c for c in known if c in set(columns)]  # the list's order, once each


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the view, for example "
                                       "“Printers this week”."})
    if len(name) > 60:
        raise ValidationError({"name": "Keep the name to 60 characters or fewer."})
    return name


def _check_unique(user, list_key: str, name: str, team, exclude_pk=None) -> None:
    clash = SavedView.objects.filter(
        organisation_id=user.active_organisation_id, list_key=list_key, name__iexact=name,
        **({"team": team} if team is not None else {"owner": user, "team": None}))
    if clash.exclude(pk=exclude_pk).exists():
        whose = f"{team} already has" if team is not None else "You already have"
        raise ValidationError({"name": f"{whose} a view called “{name}”. Choose another name."})


def save_view(user, *, list_key: str, name: str, query: str, columns: list[str],
              known_columns: list[str], team=None) -> SavedView:
    """A new view of the list for the user, or for a team they may share with."""
    name = clean_name(name)
    if team is not None and all(t.pk != team.pk for t in shareable_teams(user)):
        raise PermissionDenied(f"Only a lead of {team} can share views with it.")
    _check_unique(user, list_key, name, team)
    view = SavedView(organisation_id=user.active_organisation_id, list_key=list_key,
                     name=name, query=clean_query(query),
                     columns=clean_columns(columns, known_columns),
                     owner=None if team is not None else user, team=team)
    return services.create_record(view, actor=user)


def update_view(view: SavedView, user, *, known_columns: list[str], name: str | None = None,
                query: str | None = None, columns: list[str] | None = None,
                expected_version: int | None = None) -> SavedView:
    """Change a view's name, filters or columns (what is given)."""
    if not may_write(user, view):
        raise PermissionDenied("Only its owner, or a lead of its team, can change this view.")
    data = {}
    if name is not None:
        data["name"] = clean_name(name)
        _check_unique(user, view.list_key, data["name"], view.team, exclude_pk=view.pk)
    if query is not None:
        data["query"] = clean_query(query)
    if columns is not None:
        data["columns"] = clean_columns(columns, known_columns)
    return services.update_record(view, actor=user, data=data,
                                  expected_version=expected_version)


def delete_view(view: SavedView, user) -> None:
    if not may_write(user, view):
        raise PermissionDenied("Only its owner, or a lead of its team, can delete this view.")
    services.delete_record(view, actor=user, expected_version=None)


def columns_for(user, list_key: str) -> list[str] | None:
    """The columns the user chose for the list; None when they never chose."""
    row = ListPreference.objects.visible_to(user).filter(list_key=list_key).first()
    return row.columns if row is not None else None


def set_columns(user, list_key: str, columns: list[str], known: list[str]) -> list[str]:
    """Keep the user's column choice for the list (an empty choice is refused)."""
    columns = clean_columns(columns, known)
    if not columns:
        raise ValidationError({"columns": "Choose at least one column to show."})
    row = ListPreference.objects.visible_to(user).filter(list_key=list_key).first()
    if row is None:
        services.create_record(ListPreference(
            organisation_id=user.active_organisation_id, user=user, list_key=list_key,
            columns=columns), actor=user)
    elif row.columns != columns:
        services.update_record(row, actor=user, data={"columns": columns},
                               expected_version=None)
    return columns
