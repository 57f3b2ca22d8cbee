"""The CMDB's pages beyond the generic ones: a CI's page (attributes, relationships and
what depends on it) and the two-step add (choose the class, then its form)."""

from __future__ import annotations

from borough.cmdb import forms, queries
from borough.core.views.imports import ObjectImportView
from borough.core.views.records import ObjectCreateView, ObjectDetailView


class ConfigurationItemDetailView(ObjectDetailView):
    template_name = "cmdb/configurationitem_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("ci_class")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = context["object"], self.request.user
        context["attribute_rows"] = item.attribute_rows()
        context["outgoing"], context["incoming"] = queries.relationships(item, user)
        context["affected"] = queries.impact_of(item, user)
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



class SystemsReturnImportView(ObjectImportView):
    """A service unit's systems return: applications and their interfaces."""

    importer_key = "cmdb.systems-return"
