"""The CMDB's pages beyond the generic ones: a CI's page (attributes, relationships and
what depends on it) and the two-step add (choose the class, then its form)."""

from __future__ import annotations

from django.utils.safestring import mark_safe

from borough.cmdb import drawing, forms, queries
from borough.cmdb.history_views import ItemTabsMixin
from borough.core.views.imports import ObjectImportView
from borough.core.views.records import ObjectCreateView, ObjectDetailView

# A hub (a standard build, the directory) has thousands of relationships and dependents:
# the page lists the first ones and counts the rest, or lists them all on request.
LISTED = 100


class ConfigurationItemDetailView(ItemTabsMixin, ObjectDetailView):
    template_name = "cmdb/configurationitem_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("ci_class", "discovery_source")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = context["object"], self.request.user
        context["attribute_rows"] = item.attribute_rows()
        context["outgoing"], context["incoming"] = queries.relationships(
            item, user, LISTED, brief=True)
        context["outgoing_count"], context["incoming_count"] = (
            queries.relationship_counts(item, user)
            if LISTED in (len(context["outgoing"]), len(context["incoming"]))
            else (len(context["outgoing"]), len(context["incoming"])))
        context["neighbourhood_svg"] = neighbourhood_svg(item, context["outgoing"],
                                                         context["incoming"])
        every = self.request.GET.get("affected") == "all"
        (context["affected"], context["affected_count"], context["single_points"]
         ) = queries.impact_and_single_points(item, user, None if every else LISTED,
                                              brief=True)
        context["directory_rows"] = directory_rows(item)
        return context


# More neighbours than this on one side are listed, not drawn.
DRAWN_PER_SIDE = 15


def neighbourhood_svg(item, outgoing, incoming) -> str | None:
    if not (outgoing or incoming) or max(len(outgoing), len(incoming)) > DRAWN_PER_SIDE:
        return None
    # Drawn from the relationships the page lists below it; every text is escaped.
    return mark_safe(drawing.neighbourhood(  # noqa: S308
        drawing.Node(item.pk, item.name),
        [(drawing.Node(r.source_id, r.source.name), r.get_relationship_type_display())
         for r in incoming],
        [(drawing.Node(r.target_id, r.target.name), r.get_relationship_type_display())
         for r in outgoing],
        title=f"{item.name} and the items related to it",
        left_heading="Related to it", right_heading="It is related to"))


def directory_rows(item) -> list[tuple[str, object]]:
    """What discovery knows of an item it found (cmdb.discovery)."""
    said = item.directory_values or {}
    return [("Found by", item.discovery_source or "A source since deleted"),
            ("Directory entry", said.get("dn", "")),
            ("Host name in the directory", said.get("hostname", "")),
            ("Operating system in the directory", said.get("operating_system", "")),
            ("First found", item.discovered_at), ("Last seen", item.last_seen_at)]


class ConfigurationItemCreateView(ObjectCreateView):
    """Without a class in the query string, the first step: choose one. Without
    JavaScript, so the attributes shown are always the chosen class's."""

    def get(self, request, *args, **kwargs):
        if "ci_class" not in request.GET:
            return self.choose(forms.ChooseClassForm(user=request.user))
        chooser = forms.ChooseClassForm(request.GET, user=request.user)
        if not chooser.is_valid():
            return self.choose(chooser, status=400)
        instance = self.model(organisation_id=request.user.active_organisation_id,
                              ci_class=chooser.cleaned_data["ci_class"])
        return self.render_to_response(self.get_context_data(
            form=self.entry.form(instance=instance, user=request.user), object=None))

    def choose(self, form, status=200):
        context = self.get_context_data(form=form, object=None)
        return self.response_class(request=self.request, template=[
            "cmdb/choose_class.html"], context=context, status=status)



class SystemsReturnImportView(ObjectImportView):
    """A service unit's systems return: applications and their interfaces."""

    importer_key = "cmdb.systems-return"
