"""The systems catalogue (a head of service reads their unit's applications), one page per
system, and the architecture map of systems and interfaces."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from borough.cmdb import drawing, forms, systems
from borough.cmdb.models import ConfigurationItem
from borough.core.queries import with_record_extras
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.organisation.queries import own_service_unit_id


class SystemsMixin(EntryViewMixin):
    """Read like the configuration items they are: the same permission and scope."""

    @property
    def entry(self):
        return registry.get(ConfigurationItem)

    def chosen_unit(self):
        """The unit asked for; with none asked, the reader's own (the one they head or
        work in), so a head of service lands on their systems. One not theirs to see
        (or gone) shows every unit."""
        user, asked = self.request.user, self.request.GET.get("unit")
        if asked is None:
            own = own_service_unit_id(user, user.active_organisation_id)
            asked = str(own) if own else forms.ALL_UNITS
        form = forms.UnitForm({"unit": asked}, user=user)
        return form, form.chosen()


CATALOGUE_PAGE = "cmdb.systems_catalogue"


class SystemsCatalogueView(SystemsMixin, TemplateView):
    """A page of systems at a time (a council of 6,000 applications, or a unit of 500,
    is not read whole), under their units with each unit's count."""

    template_name = "cmdb/systems_catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, unit = self.chosen_unit()
        found = systems.applications(self.request.user)
        if unit is not None:
            found = found.filter(service_unit=unit)
        # The page's ids first, from narrow rows: ordering and cutting 6,000 whole rows
        # (their attributes and directory values with them) cost PostgreSQL 40 ms; then
        # what the table shows of the fifty rows, by id.
        paginator = Paginator(found.values_list("pk", flat=True), systems.PER_PAGE)
        # The units' counts are over the same rows: their sum is the paginator's count,
        # without a COUNT query of its own.
        counts = systems.unit_counts(found)
        paginator.count = sum(counts.values())
        page = paginator.get_page(self.request.GET.get("page"))
        ids = list(page.object_list)
        shown = (found.filter(pk__in=ids).order_by().only(*systems.CATALOGUE_COLUMNS)
                 .in_bulk(ids) if ids else {})
        context.update(form=form, unit=unit, page_obj=page, count=page.paginator.count,
                       groups=systems.by_unit([shown[pk] for pk in ids if pk in shown],
                                              counts),
                       # What other apps show about the unit (finance: its recharge).
                       panels=registry.page_panels_for(CATALOGUE_PAGE, unit,
                                                       self.request.user),
                       application_class_id=systems.application_class_id(self.request.user))
        return context


class SystemDetailView(SystemsMixin, TemplateView):
    template_name = "cmdb/system_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # With what its panels (the CI page's) need to know to ask nothing when empty.
        system = with_record_extras(systems.applications(self.request.user).filter(
            pk=self.kwargs["pk"])).first()
        if system is None:
            raise Http404("No such system.")
        context.update(object=system,
                       interfaces=[(i, i.other(system))
                                   for i in systems.interfaces_of(system, self.request.user)],
                       attribute_rows=system.attribute_rows(),
                       runs_on=systems.runs_on(system, self.request.user),
                       panels=registry.panels_for(system, self.request.user))
        return context


class ArchitectureMapView(SystemsMixin, TemplateView):
    template_name = "cmdb/architecture_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, unit = self.chosen_unit()
        found = systems.architecture(self.request.user,
                                     service_unit_id=unit.pk if unit else None)
        title = f"Architecture map: {unit.name if unit else 'all service units'}"
        svg = None
        if 0 < len(found.systems) <= systems.MAP_LIMIT:
            # Drawn from the same rows the tables list; every text in it is escaped.
            svg = mark_safe(drawing.architecture_map(  # noqa: S308
                [drawing.Node(s.pk, s.name, s.service_unit.name if s.service_unit_id else "")
                 for s in found.systems],
                [drawing.Edge(i.source.pk, i.target.pk, i.via.name if i.via else "")
                 for i in found.interfaces], title=title))
        context.update(form=form, unit=unit, architecture=found, svg=svg, title=title,
                       map_limit=systems.MAP_LIMIT)
        return context
