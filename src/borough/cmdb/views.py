"""The CMDB's pages beyond the generic ones: a CI's page (attributes, relationships and
what depends on it) and the two-step add (choose the class, then its form)."""

from __future__ import annotations

from borough.cmdb import forms, queries
from borough.core.views.records import ObjectCreateView, ObjectDetailView

# A hub (a standard build, the directory) has thousands of relationships and dependents:
# the page lists the first ones and counts the rest, or lists them all on request.
LISTED = 100


class ConfigurationItemDetailView(ObjectDetailView):
    template_name = "cmdb/configurationitem_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("ci_class")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = context["object"], self.request.user
        context["attribute_rows"] = item.attribute_rows()
        context["outgoing"], context["incoming"] = queries.relationships(item, user, LISTED)
        context["outgoing_count"], context["incoming_count"] = (
            queries.relationship_counts(item, user)
            if LISTED in (len(context["outgoing"]), len(context["incoming"]))
            else (len(context["outgoing"]), len(context["incoming"])))
        every = self.request.GET.get("affected") == "all"
        context["affected"], context["affected_count"] = queries.nearest_affected(
            item, user, None if every else LISTED)
        context["single_points"] = queries.single_points_of_failure(item, user)
        return context


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

