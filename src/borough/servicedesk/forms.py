import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse, reverse_lazy

from borough.accounts.models import User
from borough.catalogue import queries as catalogue_queries
from borough.cmdb import queries as cmdb_queries
from borough.core import attachments, scope
from borough.core.actions import ActionForm
from borough.core.forms import (
    MultipleFileField,
    ScopedModelForm,
    SuggestedRecordField,
    count_characters,
)
from borough.core.ids import parse_id
from borough.organisation.models import Team
from borough.servicedesk import concerns, queries
from borough.servicedesk import models as m


class CategoryForm(ScopedModelForm):
    class Meta:
        model = m.Category
        fields = ["name", "ticket_type", "parent", "is_active"]


class PriorityRuleForm(ScopedModelForm):
    class Meta:
        model = m.PriorityRule
        fields = ["impact", "urgency", "priority"]


class SLAPolicyForm(ScopedModelForm):
    class Meta:
        model = m.SLAPolicy
        fields = ["name", "priority", "ticket_type", "business_service", "response_minutes",
                  "resolution_minutes", "business_hours", "compliance_target", "is_active"]


class CannedResponseForm(ScopedModelForm):
    class Meta:
        model = m.CannedResponse
        fields = ["title", "body", "is_active"]


class DeskSettingsForm(ScopedModelForm):
    class Meta:
        model = m.DeskSettings
        fields = ["reopen_days", "auto_close_days", "warning_percent", "require_resolution_code"]


REQUESTER_MATCHES = 20
_PICKED = re.compile(r"\(#(\d+)\)\s*$", re.ASCII)  # "Carol Caller (#123)", as the suggestions read


def requester_label(person) -> str:
    """How a person reads in the requester box and its suggestions; ends with their id."""
    return f"{person.full_name} (#{person.pk})"


def find_people(queryset, text: str, limit: int = REQUESTER_MATCHES):
    """People in `queryset` (already scoped with visible_to) whose name or email contains
    `text`, names starting with it first."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    return list(
        queryset.filter(Q(full_name__icontains=text) | Q(email__icontains=text))
        .annotate(starts=Case(When(full_name__istartswith=text, then=Value(0)), default=Value(1),
                              output_field=IntegerField()))
        .order_by("starts", "full_name", "pk")[:limit]
    )


class RequesterField(forms.Field):
    """Who the ticket is for, typed rather than picked from a list of the whole council.

    A <select> of every person made the form 1 s of CPU at 11,600 people. The box takes
    a name, an email address or a person's id; with JavaScript, matches are offered
    as the user types (a <datalist> filled from `servicedesk:requester_search`), each
    ending "(#id)". Whatever is typed resolves only among `queryset` (visible_to), so
    someone of another council reads as "no one matches"."""

    default_error_messages = {
        "required": "Enter the name or email address of the person the ticket is for.",
        "none": "No one in the staff directory matches “%(value)s”. Check the spelling, or "
                "use their email address.",
        "many": "More than one person matches “%(value)s”: choose one from the suggestions "
                "or enter their email address.",
    }

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value):
        if isinstance(value, models.Model):
            return requester_label(value)
        return value

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if text in self.empty_values:
            return None
        if isinstance(text, int) or (isinstance(text, str) and parse_id(text)):
            pk = text if isinstance(text, int) else parse_id(text)
        elif (picked := _PICKED.search(text)) is not None:
            pk = int(picked.group(1))
        else:
            pk = None
        qs = self.queryset
        if pk is not None:
            person = qs.filter(pk=pk).first()
            if person is None:
                raise ValidationError(self.error_messages["none"], code="none",
                                      params={"value": text})
            return person
        matches = list(qs.filter(email__iexact=text)[:2]) if "@" in text else []
        if not matches:
            matches = list(qs.filter(full_name__iexact=text)[:2])
        if not matches:
            raise ValidationError(self.error_messages["none"], code="none", params={"value": text})
        if len(matches) > 1:
            raise ValidationError(self.error_messages["many"], code="many", params={"value": text})
        return matches[0]


class RecordChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that checks a submitted id against records already in memory
    (`records`, the desk's cached configuration), not by a query. Its choices still come
    from `queryset` when the form is shown."""

    records: dict[int, models.Model] = {}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            record = self.records.get(int(str(value)))
        except (TypeError, ValueError):
            record = None
        if record is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return record


# --- what a ticket concerns: its configuration item and business service ---------------

CI_HINT = "The system, server or device it is about. Type part of its name or its reference."
SERVICE_HINT = ("The business service affected, like Payroll or Council Tax. Type part of its "
                "name; once a configuration item is chosen, its services are suggested first.")


def ci_field(**kwargs) -> SuggestedRecordField:
    """A ticket's CI, typed with suggestions (a select of 100,000 CIs would not do)."""
    return SuggestedRecordField(
        noun="configuration item", label="Configuration item", help_text=CI_HINT,
        suggest_url=reverse_lazy("api:cmdb-configurationitem-suggest"), **kwargs)


def service_field(ci_box: str = "id_ci", **kwargs) -> SuggestedRecordField:
    """A ticket's business service, typed with suggestions: those the CI in `ci_box`
    delivers first."""
    return SuggestedRecordField(
        noun="business service", label="Business service", help_text=SERVICE_HINT,
        suggest_url=reverse_lazy("api:catalogue-businessservice-suggest"),
        suggest_with=("ci", ci_box), **kwargs)


class ConcernsMixin:
    """Forms with the `ci` box: choices among what the user can see (visible_to, through
    the CMDB's queries), and the ticket's own shown by its reference and name."""

    CONCERNS = m.Ticket.CONCERNS

    def scope_concerns(self, user, record=None) -> None:
        if "ci" in self.fields:
            self.fields["ci"].queryset = cmdb_queries.choosable_items(user)
        if "service" in self.fields:
            self.fields["service"].queryset = catalogue_queries.choosable_services(user)
        if record is not None and not self.is_bound:
            for name in self.CONCERNS:
                if name in self.fields and getattr(record, f"{name}_id", None):
                    self.initial[name] = getattr(record, name)


class AttachmentsMixin:
    """The files a ticket is raised with: an `attachments` field whose hint gives the
    accepted types and limits, each file checked by core.attachments as the form is
    cleaned (services.raise_ticket stores them, checking again, with the ticket)."""

    def add_attachments_field(self) -> None:
        self.fields["attachments"] = MultipleFileField(
            label="Attach files", required=False, help_text=attachments.limits_hint(),
            error_messages={"invalid": "The selected file could not be read. Select it again."})
        self.refused: set[str] = set()

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        errors = []
        for upload in uploads:
            try:
                attachments.check_upload(upload)
            except ValidationError as exc:
                self.refused.add(upload.name)
                errors.extend(exc.messages)
        if not errors:
            try:
                attachments.check_room(0, sum(upload.size for upload in uploads))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return uploads

    def files_not_kept(self) -> None:
        """A page sent back cannot refill a file box: name the files to select again
        (those not refused), so none is dropped without a word."""
        again = [attachments.clean_name(upload.name)
                 for upload in self.files.getlist(self.add_prefix("attachments"))
                 if upload.name not in self.refused]
        if again and self.errors:
            names = ", ".join(f"“{name}”" for name in again)
            self.add_error("attachments", f"Select {names} again: files are not kept when "
                                          "there is a problem with the form.")


TITLE_TOO_LONG = "The title must be %(limit_value)d characters or less."


class TicketForm(ConcernsMixin, AttachmentsMixin, ScopedModelForm):
    """Staff raising a ticket for someone (the portal has its own, simpler form).

    Its service unit, site, category and team are checked against the organisation's
    cached desk configuration (`desk`, also handed to services.raise_ticket), among the
    records the user's role may see."""

    requester = RequesterField(
        label="Requester",
        help_text="Their name or email address. Suggestions appear as you type.",
    )
    ci = ci_field()
    service = service_field()

    class Meta:
        model = m.Ticket
        fields = ["ticket_type", "requester", "title", "description", "channel", "service_unit",
                  "site", "category", "ci", "service", "impact", "urgency", "team",
                  "assignee"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        field_classes = {name: RecordChoiceField for name in queries.CHOICE_MODELS}
        error_messages = {
            "ticket_type": {"required": "Choose whether it is an incident or a request.",
                            "invalid_choice": "Choose whether it is an incident or a request."},
            "title": {"required": "Enter a short title for the problem.",
                      "max_length": TITLE_TOO_LONG},
            "description": {"required": "Describe the problem."},
            "channel": {"required": "Choose how they contacted the service desk.",
                        "invalid_choice": "Choose how they contacted the service desk."},
            "impact": {"required": "Choose the impact: high, medium or low.",
                       "invalid_choice": "Choose the impact: high, medium or low."},
            "urgency": {"required": "Choose the urgency: high, medium or low.",
                        "invalid_choice": "Choose the urgency: high, medium or low."},
            "service_unit": {"invalid_choice": "Choose a service unit from the list."},
            "site": {"invalid_choice": "Choose a site from the list."},
            "category": {"invalid_choice": "Choose a category from the list."},
            "team": {"invalid_choice": "Choose a team from the list."},
            "assignee": {"invalid_choice": "Choose someone from the list."},
        }

    # The first option of each optional list, saying what leaving it means.
    EMPTY_LABELS = {"service_unit": "The requester’s service unit", "site": "The requester’s site",
                    "category": "Choose a category", "team": "No team yet",
                    "assignee": "Nobody yet"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from borough.organisation.models import Person

        org_id = getattr(self.user, "active_organisation_id", None)
        self.desk = None
        if self.is_bound and org_id is not None:
            self.desk = queries.organisation_and_config(org_id)
            for name, records in self.desk[1].records.items():
                field = self.fields[name]
                visible = scope.can(self.user, "view", field.queryset.model, org_id)
                field.records = records if visible else {}
        self.scope_concerns(self.user, self.instance if self.instance.pk else None)
        self.fields["assignee"].queryset = queries.workers_queryset(org_id)
        self.fields["assignee"].widget.attrs["data-borough-autocomplete"] = ""
        for name, label in self.EMPTY_LABELS.items():
            if name in self.fields:
                self.fields[name].empty_label = label
        if "title" in self.fields:
            count_characters(self.fields["title"])
        if "channel" in self.fields and not self.is_bound:
            # Staff raise tickets here mostly for callers; the portal and mail raise the rest.
            self.initial["channel"] = m.Channel.PHONE
        if "requester" in self.fields:  # raising, not the edit form's subclass
            self.add_attachments_field()
            field = self.fields["requester"]
            # The login too: the new ticket's acknowledgement goes to it.
            field.queryset = Person.objects.visible_to(self.user).select_related(
                "service_unit", "site", "user")
            field.widget.attrs.update({
                "autocomplete": "off", "spellcheck": "false", "list": "requester-suggestions",
                "hx-get": reverse("servicedesk:requester_search"),
                "hx-trigger": "input changed delay:300ms", "hx-target": "#requester-suggestions",
                "hx-swap": "innerHTML", "hx-sync": "this:replace",
            })


class PortalTicketForm(AttachmentsMixin, forms.Form):
    """The requester's form, in plain words."""

    ticket_type = forms.ChoiceField(
        label="What do you need?", widget=forms.RadioSelect,
        choices=[(m.TicketType.INCIDENT, "Something is broken or not working"),
                 (m.TicketType.REQUEST, "I need something new or a change")],
        error_messages={
            "required": "Choose whether something is broken or you need something new.",
            "invalid_choice": "Choose whether something is broken or you need something new."},
    )
    title = forms.CharField(
        label="In a few words, what is it about?",
        max_length=m.Ticket._meta.get_field("title").max_length,
        help_text="For example: “Cannot print from the Revenues system”.",
        error_messages={"required": "Enter a short title for the problem or request.",
                        "max_length": TITLE_TOO_LONG})
    description = forms.CharField(
        label="Tell us more", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What were you doing, what happened, and how many people it affects.",
        error_messages={"required": "Describe the problem or what you need."},
    )
    urgency = forms.TypedChoiceField(
        label="How much is it stopping your work?", widget=forms.RadioSelect, coerce=int,
        choices=[(1, "I cannot work at all"), (2, "I can work, but slowly"),
                 (3, "It is not stopping me")], initial=3,
        error_messages={"required": "Choose how much it is stopping your work.",
                        "invalid_choice": "Choose how much it is stopping your work."},
    )
    system = forms.ChoiceField(
        label="Which system is it about?", widget=forms.RadioSelect, required=False,
        help_text="The systems your service unit uses, and the council’s services. "
                  "Choose “I don’t know” if you are not sure: we will find out.",
        error_messages={"invalid_choice": "Choose a system from the list, “Something else” "
                                          "or “I don’t know”."})
    system_name = forms.CharField(
        label="If it is something else, what is it called? (optional)", required=False,
        max_length=200, error_messages={
            "max_length": "The name must be %(limit_value)d characters or less."})
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, systems=(), **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["title"])
        # What the portal offers (concerns.portal_systems): names only, never references.
        self.systems = {system.key: system for system in systems}
        self.fields["system"].choices = [
            *((system.key, system.name) for system in systems),
            (concerns.SOMETHING_ELSE, "Something else"),
            (concerns.DONT_KNOW, "I don’t know")]
        self.fields["system"].initial = concerns.DONT_KNOW
        # Uploads last, as before: after what the request is about.
        self.add_attachments_field()

    def concerns(self) -> dict:
        """What raise_ticket takes for the choice: a CI and/or a service, or the name
        typed for something else (kept as the system as reported)."""
        chosen = self.systems.get(self.cleaned_data.get("system") or "")
        if chosen is not None:
            return {"ci": chosen.ci, "service": chosen.service}
        name = (self.cleaned_data.get("system_name") or "").strip()
        return {"configuration_item": name} if name else {}


# --- the record actions' input (core.actions): pages render them, the API validates with them

class ReplyForm(ActionForm):
    carries_version = False
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    canned = forms.ModelChoiceField(
        label="Add a canned response", queryset=m.CannedResponse.objects.none(), required=False,
        empty_label="None", help_text="Its text is added after anything you type.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None and self.user.has_perm("servicedesk.work_tickets"):
            self.fields["canned"].queryset = m.CannedResponse.objects.visible_to(
                self.user).filter(is_active=True)

    def service_fields(self) -> dict:
        canned = self.cleaned_data.get("canned")
        body = self.cleaned_data.get("body", "")
        return {"body": f"{body}\n\n{canned.body}".strip() if canned else body}


class ComposerForm(AttachmentsMixin, ActionForm):
    """The ticket page's one box for a public reply or an internal note, with files: its
    own view (workspace.ComposeView) runs the reply or the note action, as `kind` says.
    Prefixed, so its fields can ride along with the page's other forms as a draft
    (hx-include) without meeting theirs (the link form's `kind`, say)."""

    carries_version = False
    prefix = "composer"

    kind = forms.ChoiceField(label="Send as", widget=forms.RadioSelect(
        attrs={"class": "govuk-radios--small govuk-radios--inline", "data-draft": ""}),
        error_messages={"required": "Choose a reply or an internal note.",
                        "invalid_choice": "Choose a reply or an internal note."})
    body = forms.CharField(label="Message", widget=forms.Textarea(
        attrs={"rows": 5, "data-draft": ""}),
        error_messages={"required": "Enter a message, or choose a canned response."})
    canned = forms.ModelChoiceField(
        label="Add a canned response", queryset=m.CannedResponse.objects.none(), required=False,
        empty_label="None", help_text="Its text is added after anything you type.",
        widget=forms.Select(attrs={"data-draft": ""}))

    def __init__(self, *args, may_note: bool = False, canned=None, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        requester = getattr(getattr(self.record, "requester", None), "full_name", "")
        choices = [("reply", f"Reply to {requester}" if requester else "Reply")]
        if may_note:
            choices.append(("note", "Internal note (only staff see it)"))
        self.fields["kind"].choices = choices
        self.fields["kind"].initial = "reply"
        if self.is_bound and self.data.get(self.add_prefix("canned")):
            self.fields["body"].required = False  # the canned response is the message
        if canned is not None:  # the page's list, already read
            self.fields["canned"].queryset = canned
        elif self.user is not None and self.user.has_perm("servicedesk.work_tickets"):
            self.fields["canned"].queryset = m.CannedResponse.objects.visible_to(
                self.user).filter(is_active=True)
        self.add_attachments_field()
        field = self.fields["attachments"]
        # For the browser's check before upload (borough.js); the server checks again.
        field.widget.attrs.update({
            "accept": ",".join(attachments.accepted_extensions()),
            "data-max-bytes": str(settings.ATTACHMENT_MAX_BYTES),
            "data-max-size": attachments.megabytes(settings.ATTACHMENT_MAX_BYTES),
        })

    @property
    def is_note(self) -> bool:
        return self.cleaned_data.get("kind") == "note"

    def service_fields(self) -> dict:
        canned = self.cleaned_data.get("canned")
        body = self.cleaned_data.get("body", "")
        return {"body": f"{body}\n\n{canned.body}".strip() if canned else body,
                "files": self.cleaned_data.get("attachments") or []}


class NoteForm(ActionForm):
    carries_version = False
    body = forms.CharField(label="Internal note", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Only service desk staff see notes.",
                           error_messages={"required": "Enter a note."})


class AssignForm(ActionForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  empty_label="No team")
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody",
        help_text="Or “me”.", error_messages={"invalid_choice": "Choose someone from the list."})

    def __init__(self, data=None, *args, **kwargs):
        user = kwargs.get("user")
        if data is not None and data.get("assignee") == "me" and user is not None:
            data = data.copy()
            data["assignee"] = str(user.pk)
        super().__init__(data, *args, **kwargs)
        org_id = getattr(self.record, "organisation_id", None)
        if self.user is not None:
            self.fields["team"].queryset = Team.objects.visible_to(self.user)
        # Only people of the ticket's organisation: anyone else reads as "not in the list".
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, memberships__organisation_id=org_id,
            memberships__is_active=True).distinct()


class UpdateForm(ActionForm):
    """Team, assignee, status, impact and urgency in one form (services.update applies
    what changed, each through its own action). The page draws the selects from lists it
    has already read; these fields check what comes back."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  error_messages={"invalid_choice": "Choose a team from the list."})
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False,
        error_messages={"invalid_choice": "Choose someone from the list."})
    status = forms.ChoiceField(choices=m.Status.choices, error_messages={
        "required": "Choose a status.", "invalid_choice": "Choose a status from the list."})
    impact = forms.TypedChoiceField(choices=m.Level.choices, coerce=int, error_messages={
        "required": "Choose an impact.", "invalid_choice": "Choose an impact."})
    urgency = forms.TypedChoiceField(choices=m.Level.choices, coerce=int, error_messages={
        "required": "Choose an urgency.", "invalid_choice": "Choose an urgency."})
    note = forms.CharField(label="Note (optional; required to cancel)", required=False,
                           max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    ci = ci_field()
    service = service_field("update-ci")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org_id = getattr(self.record, "organisation_id", None)
        if self.user is not None:
            self.fields["team"].queryset = Team.objects.visible_to(self.user)
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, memberships__organisation_id=org_id,
            memberships__is_active=True).distinct()
        ConcernsMixin.scope_concerns(self, self.user)  # no initial: the page draws the boxes

    def service_fields(self) -> dict:
        fields = super().service_fields()
        # Boxes the page did not send (an older page, a client of the form's own URL)
        # leave the ticket's as they are.
        for name in ConcernsMixin.CONCERNS:
            if name not in self.data:
                fields.pop(name, None)
        return fields


class ConcernsForm(ConcernsMixin, ActionForm):
    """What the ticket is about. Each box: a reference, a name or an id (the API sends
    ids); one left out is kept as it is, one sent empty is cleared."""

    ci = ci_field()
    service = service_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_concerns(self.user, self.record)

    def service_fields(self) -> dict:
        fields = super().service_fields()
        if self.data is not None:
            fields = {k: v for k, v in fields.items() if k in self.data}
        return fields


class StatusForm(ActionForm):
    status = forms.ChoiceField(choices=m.Status.choices,
                               error_messages={"invalid_choice": "Choose a status from the list."})
    note = forms.CharField(label="Note (optional; required to resolve or cancel)", required=False)


class PriorityForm(ActionForm):
    impact = forms.TypedChoiceField(choices=m.Level.choices, coerce=int,
                                    error_messages={"invalid_choice": "Choose an impact."})
    urgency = forms.TypedChoiceField(choices=m.Level.choices, coerce=int,
                                     error_messages={"invalid_choice": "Choose an urgency."})
    reason = forms.CharField(required=False)


class ResolveForm(ActionForm):
    # Optional here: whether the desk requires one is the service's rule (desk settings),
    # so the page, the API and every other caller get the same answer.
    code = forms.ChoiceField(
        label="Resolution", required=False, widget=forms.RadioSelect,
        choices=[("", "Not given"), *m.ResolutionCode.choices],
        error_messages={"invalid_choice": "Choose how the ticket was resolved from the list."})
    note = forms.CharField(label="How was it resolved?", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Enter how it was resolved."})


class ReopenForm(ActionForm):
    reason = forms.CharField(label="What is still wrong?",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter why it is not fixed."})


class CancelForm(ActionForm):
    reason = forms.CharField(label="Why is it cancelled?",
                             error_messages={"required": "Enter why it is cancelled."})


class LinkForm(ActionForm):
    carries_version = False
    reference = forms.CharField(label="Link to ticket", max_length=20,
                                help_text="Its reference, like INC-000123.",
                                error_messages={"required": "Enter the ticket's reference."})
    kind = forms.ChoiceField(label="How", choices=m.LinkKind.choices,
                             error_messages={"invalid_choice": "Choose how the tickets are linked."})

    def clean_reference(self):
        other = m.Ticket.objects.visible_to(self.user).filter(
            reference__iexact=self.cleaned_data["reference"].strip()).first()
        if other is None:
            raise ValidationError("No ticket has that reference.")
        return other

    def service_fields(self) -> dict:
        return {"other": self.cleaned_data["reference"], "kind": self.cleaned_data["kind"]}


class MajorForm(ActionForm):
    value = forms.BooleanField(label="Major incident", required=False)


class RateForm(ActionForm):
    carries_version = False
    score = forms.TypedChoiceField(
        label="How satisfied are you with how we handled this?", widget=forms.RadioSelect,
        coerce=int, choices=[(5, "5 – Very satisfied"), (4, "4 – Satisfied"),
                             (3, "3 – Neither satisfied nor dissatisfied"),
                             (2, "2 – Dissatisfied"), (1, "1 – Very dissatisfied")],
        error_messages={"required": "Choose a score from 1 to 5.",
                        "invalid_choice": "Choose a score from 1 to 5."},
    )
    comment = forms.CharField(label="Anything you would like to tell us?", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class LogTimeForm(ActionForm):
    """Time spent on a ticket (the work log). The page logs the signed-in person's own
    time; the API may name another of the desk's workers in `worked_by`."""

    carries_version = False
    minutes = forms.IntegerField(
        label="Time spent (minutes)", min_value=1, max_value=m.MAX_LOGGED_MINUTES,
        error_messages={"required": "Enter the time spent in minutes.",
                        "invalid": "Enter the time spent as a whole number of minutes, "
                                   "like 45.",
                        "min_value": "Enter 1 minute or more.",
                        "max_value": "Enter at most 1,440 minutes (a whole day): log each "
                                     "day's work on its own."})
    worked_on = forms.DateField(
        label="Day worked", required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example 27/03/2026. Leave blank for today.",
        error_messages={"invalid": "Enter the day as a date, like 27/03/2026."})
    note = forms.CharField(label="What you did (optional)", required=False, max_length=300,
                           error_messages={"max_length": "Keep the note to 300 characters."})
    worked_by = forms.IntegerField(required=False, widget=forms.HiddenInput,
                                   error_messages={"invalid": "Choose one of the desk's "
                                                              "workers by their id."})

    def clean_worked_by(self):
        pk = self.cleaned_data.get("worked_by")
        if pk is None:
            return None
        organisation_id = getattr(self.record, "organisation_id", None)
        found = queries.workers_queryset(organisation_id).filter(pk=pk).first()
        if found is None:
            raise ValidationError("Choose someone who works tickets in this organisation.")
        return found


class TimeEntryForm(ActionForm):
    """Choose an entry of the ticket's work log, and say why it changes. The choice lists
    the entries the signed-in person may correct (their own; anyone's for those who
    correct the desk's time); a link from an entry preselects it (?time_entry=7)."""

    carries_version = False
    time_entry = forms.IntegerField(
        label="Time entry", widget=forms.Select,
        error_messages={"required": "Choose the time entry.",
                        "invalid": "Choose the time entry by its id."})
    reason = forms.CharField(
        label="Why", max_length=300,
        help_text="Kept on the ticket's timeline: time logged is counted in what systems "
                  "and services cost.",
        error_messages={"required": "Say why the time logged is changed.",
                        "max_length": "Keep the reason to 300 characters."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entries = queries.correctable_time(self.record, self.user) if self.record else []
        self.entries = {e.pk: e for e in entries}
        self.fields["time_entry"].widget.choices = [("", "Choose an entry")] + [
            (e.pk, queries.time_entry_label(e)) for e in entries]
        self.chosen = self.entries.get(parse_id(str(self.initial.get("time_entry") or "")))

    def clean_time_entry(self):
        found = self.entries.get(self.cleaned_data["time_entry"])
        if found is None:
            raise ValidationError("Choose one of the entries on this ticket that you may "
                                  "change: your own, or anyone's if your role corrects the "
                                  "desk's time.")
        return found


class CorrectTimeForm(TimeEntryForm):
    """Correct an entry's minutes, day or note; the entry chosen by a link fills them in.
    Left out of an API request, the day and the note are kept."""

    minutes = forms.IntegerField(
        label="Time spent (minutes)", min_value=1, max_value=m.MAX_LOGGED_MINUTES,
        error_messages={"required": "Enter the time spent in minutes.",
                        "invalid": "Enter the time spent as a whole number of minutes, "
                                   "like 45.",
                        "min_value": "Enter 1 minute or more, or remove the entry instead.",
                        "max_value": "Enter at most 1,440 minutes (a whole day)."})
    worked_on = forms.DateField(
        label="Day worked", required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example 27/03/2026. Leave blank to keep the day.",
        error_messages={"invalid": "Enter the day as a date, like 27/03/2026."})
    note = forms.CharField(label="What was done", required=False, max_length=300,
                           error_messages={"max_length": "Keep the note to 300 characters."})

    field_order = ["time_entry", "minutes", "worked_on", "note", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.chosen is not None and not self.is_bound:
            self.initial.update(minutes=self.chosen.minutes, note=self.chosen.note,
                                worked_on=self.chosen.worked_on.strftime("%d/%m/%Y"))

    def clean(self):
        cleaned = super().clean()
        if "note" not in self.data:
            cleaned["note"] = None  # not sent: kept
        return cleaned
