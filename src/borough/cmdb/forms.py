import re

from django import forms
from django.forms.forms import NON_FIELD_ERRORS

from borough.cmdb import attributes
from borough.cmdb import models as m
from borough.core.forms import DateInput, ScopedModelForm
from borough.organisation.models import ServiceUnit

PREFIX = "attr_"
BOOLEAN_CHOICES = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


class CIClassForm(ScopedModelForm):
    class Meta:
        model = m.CIClass
        fields = ["name", "code", "description", "attribute_schema", "is_active"]
        widgets = {"attribute_schema": forms.Textarea(attrs={"rows": 12})}


def attribute_field(definition: dict) -> forms.Field:
    """A text-shaped field for one attribute: the values are checked by
    attributes.clean_attributes, as on the API, so the messages are the same."""
    options = {"label": definition["label"], "required": False,
               "help_text": definition["help"]}
    kind = definition["type"]
    if kind == "choice":
        choices = [("", "Not known"), *((c, c) for c in definition["choices"])]
        return forms.ChoiceField(choices=choices, **options)
    if kind == "boolean":
        return forms.ChoiceField(choices=BOOLEAN_CHOICES, **options)
    if kind == "date":
        return forms.CharField(widget=DateInput(), **options)
    if kind == "text":
        return forms.CharField(max_length=attributes.TEXT_LIMIT, **options)
    widget = forms.TextInput(attrs={"inputmode": "decimal" if kind == "decimal" else
                                    "numeric" if kind == "integer" else "text",
                                    "spellcheck": "false"})
    return forms.CharField(widget=widget, **options)


def _initial(definition: dict, value):
    if definition["type"] == "boolean" and isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


class ConfigurationItemForm(ScopedModelForm):
    """The item's fields, then its class's attributes (one field each). The class is
    chosen first (the add page's first step), so the attributes shown are its own."""

    class Meta:
        model = m.ConfigurationItem
        fields = ["name", "ci_class", "status", "owner", "service_unit", "support_team", "site",
                  "criticality", "data_classification", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_class"].queryset = self.fields["ci_class"].queryset.filter(
            is_active=True) | self.fields["ci_class"].queryset.filter(
            pk=self.instance.ci_class_id or 0)
        self.ci_class = self._chosen_class()
        self.attribute_errors = {}
        if self.instance.pk:
            # Attributes belong to the class: changing it would lose them.
            self.fields["ci_class"].disabled = True
        elif self.ci_class is not None:
            self.fields["ci_class"].widget = forms.HiddenInput()
        for definition in self.ci_class.definitions() if self.ci_class else ():
            field = attribute_field(definition)
            field.initial = _initial(definition, (self.instance.attributes or {}).get(
                definition["name"]))
            self.fields[PREFIX + definition["name"]] = field

    def _chosen_class(self):
        if self.instance.pk or not self.is_bound:
            return self.instance.ci_class if self.instance.ci_class_id else None
        try:
            return self.fields["ci_class"].clean(self.data.get(self.add_prefix("ci_class")))
        except forms.ValidationError:
            return None

    def attribute_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith(PREFIX)]

    def clean(self):
        cleaned = super().clean()
        if self.ci_class is None:
            return cleaned
        values = {name.removeprefix(PREFIX): cleaned.get(name) for name in self.attribute_names()}
        stored, self.attribute_errors = attributes.clean_attributes(
            self.ci_class.attribute_schema, values, class_name=str(self.ci_class))
        for name, message in self.attribute_errors.items():
            self.add_error(PREFIX + name if PREFIX + name in self.fields else None, message)
        self.instance.attributes = stored
        return cleaned

    def _update_errors(self, errors):
        # The model checks the attributes too (for the API and imports); here each message
        # is already beside its field, so the model's copy is shown only if it differs.
        if hasattr(errors, "error_dict") and "attributes" in errors.error_dict:
            messages = errors.error_dict.pop("attributes")
            if not self.attribute_errors:
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(messages)
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def model_data(self):
        data = super().model_data()
        if self.attribute_names() and self.instance.attributes != self.initial_attributes():
            data["attributes"] = self.instance.attributes
        return data

    def initial_attributes(self):
        return self._initial_attributes

    def full_clean(self):
        self._initial_attributes = dict(self.instance.attributes or {})
        super().full_clean()


class ChooseClassForm(forms.Form):
    """The first step of adding an item: which class it is."""

    ci_class = forms.ModelChoiceField(queryset=m.CIClass.objects.none(), label="Which class is it?",
                                      empty_label=None, widget=forms.RadioSelect)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_class"].queryset = m.CIClass.objects.visible_to(user).filter(
            is_active=True)


class RelationshipForm(ScopedModelForm):
    class Meta:
        model = m.Relationship
        fields = ["source", "relationship_type", "target", "redundancy_group", "description"]


ALL_UNITS = "all"


class UnitForm(forms.Form):
    """Which service unit's systems to show (the catalogue, the map and their API)."""

    unit = forms.ChoiceField(label="Service unit", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in
                      ServiceUnit.objects.visible_to(user).order_by("name")}
        self.fields["unit"].choices = [(ALL_UNITS, "All service units"),
                                       *((k, u.name) for k, u in self.units.items())]

    def chosen(self) -> ServiceUnit | None:
        """The unit chosen, or None for all of them."""
        if not self.is_valid():
            return None
        return self.units.get(self.cleaned_data["unit"])


class BaselineForm(ScopedModelForm):
    """Taking a baseline: its name and which items it freezes. Chosen items are typed as
    their references, which scale to any number of items without a long list to scroll."""

    references = forms.CharField(
        label="References of the chosen items", required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="For a baseline of chosen items: their references, separated by commas, "
                  "spaces or new lines, like CI-000012, CI-000040.")

    class Meta:
        model = m.Baseline
        fields = ["name", "description", "scope", "ci_class", "references"]
        widgets = {"scope": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_class"].empty_label = "Choose a class"
        self.fields["name"].error_messages["required"] = (
            "Enter a name for the baseline, like “Before the server move”.")
        self.fields["scope"].error_messages["required"] = "Choose which items to freeze."
        self.chosen_items = []

    def clean_references(self):
        text = self.cleaned_data.get("references", "")
        wanted = list(dict.fromkeys(r.upper() for r in re.split(r"[\s,;]+", text) if r))
        if not wanted:
            return []
        found = {ci.reference: ci for ci in m.ConfigurationItem.objects.visible_to(self.user)
                 .filter(reference__in=wanted)}
        if missing := [r for r in wanted if r not in found]:
            raise forms.ValidationError(
                "No configuration item has the reference " + ", ".join(missing)
                + ". Check it against the list of configuration items.")
        self.chosen_items = [found[r] for r in wanted]
        return wanted

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == m.BaselineScope.CHOSEN and not self.chosen_items \
                and "references" not in self.errors:
            self.add_error("references", "Enter the references of the items to freeze.")
        elif scope and scope != m.BaselineScope.CHOSEN and self.chosen_items:
            self.add_error("references", "Leave the references empty unless the baseline is "
                                         "of chosen items.")
        return cleaned
