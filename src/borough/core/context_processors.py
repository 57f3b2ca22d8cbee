from __future__ import annotations

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.text import capfirst

from borough.core import scope
from borough.core.perf.cache import LocalCache
from borough.core.registry import registry


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Included templates (tables) render with their own RequestContext: compute once.
    cached = getattr(request, "_borough_navigation", None)
    if cached is None:
        cached = request._borough_navigation = _navigation(request, user)
    return cached


def menu(user) -> dict[str, list[dict]]:
    """Section -> [{"label", "url"}] of the pages `user` may open, in menu order: each
    registered model's list, plus the registry's other menu links."""
    items = [
        (entry.nav_section, entry.nav_order, capfirst(entry.verbose_name_plural),
         entry.url_name("list"))
        for entry in registry.all()
        if entry.nav_section and scope.can(user, "view", entry.model, None)
    ] + [
        (link.section, link.order, link.label, link.url_name)
        for link in registry.nav_links
        if scope.organisation_ids(user, scope.permission_name(link.model, link.action))
    ]
    sections: dict[str, list[dict]] = {}
    placed = registry.nav_section_order
    for section, _order, label, url_name in sorted(
            items, key=lambda i: (placed.get(i[0], 1000), i[0], i[1])):
        sections.setdefault(section, []).append({"label": label, "url": reverse(url_name)})
    return sections


def _menu_key(user) -> tuple:
    """What `menu(user)` depends on: the permissions the user holds where it counts (the
    active organisation, or any when none is active) and the URLs."""
    held = user.organisation_permissions()
    active = getattr(user, "active_organisation_id", None)
    perms = (frozenset().union(*held.values()) if active is None
             else frozenset(held.get(active, ())))
    return (active is None, perms, get_script_prefix(), get_urlconf())


# A process's menus by _menu_key: a few roles share them, so every request needs not
# check each page's permission and reverse its URL (some twenty reverse() calls). The key
# holds all a menu depends on, so nothing else invalidates it.
_menus = LocalCache("menus", size=256)


def menu_for(request) -> dict[str, list[dict]]:
    """`menu(request.user)`, worked out once per request (the home page and the
    navigation both show it) and shared by the users who hold the same permissions."""
    cached = getattr(request, "_borough_menu", None)
    if cached is None:
        cached = request._borough_menu = _menus.get_or_build(
            _menu_key(request.user), lambda: menu(request.user))
    return cached


def _navigation(request, user):
    path = request.path
    sections = {
        label: [{**item, "active": path.startswith(item["url"])} for item in items]
        for label, items in menu_for(request).items()
    }
    nav_sections = []
    nav_subsections = []
    for label, items in sections.items():
        active = any(i["active"] for i in items)
        nav_sections.append({"label": label, "url": items[0]["url"], "active": active})
        if active:
            nav_subsections = items
    from borough.core.models import Notification

    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
    return {"nav_sections": nav_sections, "nav_subsections": nav_subsections,
            "unread_notifications": unread}
