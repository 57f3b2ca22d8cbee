from __future__ import annotations

from django.urls import reverse

from borough.core import scope
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


def _navigation(request, user):
    sections: dict[str, list[dict]] = {}
    path = request.path
    for entry in sorted(registry.all(), key=lambda e: (e.nav_section or "", e.nav_order)):
        if not entry.nav_section or not scope.can(user, "view", entry.model, None):
            continue
        url = reverse(entry.url_name("list"))
        sections.setdefault(entry.nav_section, []).append(
            {"label": entry.verbose_name_plural.capitalize(), "url": url,
             "active": path.startswith(url)}
        )
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
