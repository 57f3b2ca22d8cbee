"""What the framework part adds to the registry: the read-only API routes of the shared
framework definitions. They are not registered models (they belong to no
organisation), so they have their own pages (framework/urls.py) and no generic CRUD."""


def register(registry) -> None:
    from borough.core.registry import NavLink
    from borough.standards import models
    from borough.standards.framework import api

    registry.nav_links.append(NavLink("Standards", "Frameworks", "standards:framework_list",
                                      models.Framework, order=90))

    registry.api_routes.extend([
        ("standards/frameworks", api.FrameworkViewSet, "standards-framework"),
        ("standards/themes", api.ThemeViewSet, "standards-theme"),
        ("standards/standards", api.StandardViewSet, "standards-standard"),
        ("standards/criteria", api.CriterionViewSet, "standards-criterion"),
    ])
