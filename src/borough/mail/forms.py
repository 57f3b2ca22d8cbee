"""Forms for the email pages. They shape and check input; mail.services writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from borough.core import notifications
from borough.core.forms import ScopedModelForm
from borough.mail import services
from borough.mail.models import Delivery, Mailbox, NotificationTemplate

MAILBOX_FIELDS = ["name", "address", "is_active", "is_default", "imap_host", "imap_port",
                  "imap_ssl", "imap_username", "imap_password_env", "imap_folder"]


class MailboxForm(ScopedModelForm):
    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS
        help_texts = {
            "address": "Mail to this address opens tickets for this organisation. Stored in "
                       "lower case; each address can belong to only one mailbox.",
            "is_default": "Notifications are sent from this address, so replies come back "
                          "to this mailbox. Choosing it here stops any other mailbox being "
                          "the one.",
            "imap_password_env": "The name of an environment variable on the Borough server "
                                 "that holds the password, for example "
                                 "MAIL_HELPDESK_PASSWORD. The password itself is never "
                                 "stored in Borough.",
        }
        error_messages = {"address": {"unique": services.ADDRESS_TAKEN,
                                      "invalid": "Enter an email address in the correct "
                                                 "format, like ithelp@council.gov.uk."}}
        widgets = {"imap_port": forms.NumberInput(attrs={"class": "govuk-input--width-5"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].widget.attrs.update({"autocomplete": "off",
                                                    "spellcheck": "false"})
        self.fields["imap_password_env"].widget.attrs.update({
            "autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"})

    def clean_address(self):
        address = services.normalise_address(self.cleaned_data.get("address"))
        if address and services.address_taken(address, exclude_pk=self.instance.pk):
            raise ValidationError(services.ADDRESS_TAKEN, code="unique")
        return address

    def clean_imap_password_env(self):
        return services.check_env_name(self.cleaned_data.get("imap_password_env", ""),
                                       services.organisation_code(self.instance))


PLACEHOLDER_HINT = ("Write {{ name }} where a value goes: every email has "
                    + ", ".join(notifications.COMMON_CONTEXT)
                    + "; each event adds its own (listed below the form).")


def event_choices() -> list:
    """The registered events, grouped by the app that notifies of them (read when the
    form is made: apps register theirs when Borough starts)."""
    return [("", "Choose an event"), *notifications.choices()]


class NotificationTemplateForm(ScopedModelForm):
    event = forms.ChoiceField(
        label="Event", choices=event_choices,
        error_messages={"required": "Choose the event this template is for.",
                        "invalid_choice": services.UNKNOWN_EVENT.replace("{value}",
                                                                         "%(value)s")})

    class Meta:
        model = NotificationTemplate
        fields = ["event", "subject", "text_body", "html_body"]
        help_texts = {
            "subject": "For example {{ summary }}. The ticket's reference is added in square "
                       "brackets if the subject leaves it out, so replies find their ticket.",
            "text_body": PLACEHOLDER_HINT,
            "html_body": "Leave blank to send the plain text only. The same placeholders; "
                         "their values are escaped, and {{ body|linebreaksbr }} keeps line "
                         "breaks.",
        }
        widgets = {"text_body": forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
                   "html_body": forms.Textarea(attrs={"rows": 10, "spellcheck": "false"})}

    def _checked(self, name: str, *, html: bool = False) -> str:
        value = self.cleaned_data.get(name, "")
        problem = services.template_problem(value, html=html,
                                            event=self.data.get("event", ""))
        if problem:
            raise ValidationError(f"{self.fields[name].label}: {problem}", code="template")
        return value

    def clean_subject(self):
        return self._checked("subject")

    def clean_text_body(self):
        return self._checked("text_body")

    def clean_html_body(self):
        return self._checked("html_body", html=True)

    def clean_event(self):
        event = self.cleaned_data.get("event")
        organisation_id = self.instance.organisation_id
        taken = NotificationTemplate.objects.visible_to(self.user).filter(
            organisation_id=organisation_id, event=event).exclude(pk=self.instance.pk)
        if event and taken.exists():
            raise ValidationError(f"There is already a template for "
                                  f"“{notifications.label_of(event)}”: change that one "
                                  "instead.", code="unique")
        return event


SHORT_CHOICES = [(Delivery.IMMEDIATELY, "Immediately"), (Delivery.DIGEST, "Daily"),
                 (Delivery.OFF, "Off")]


class PreferencesForm(forms.Form):
    """One radios group per event: how the signed-in member of staff hears of it, the
    events grouped by the app that notifies of them."""

    template_name = "mail/includes/preferences_form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = services.preference_events()
        for event in self.events:
            # Forty events: each one line of small radios with short words (the page
            # says once what they mean), not three long options stacked.
            self.fields[event.key] = forms.ChoiceField(
                label=event.label, choices=SHORT_CHOICES, widget=forms.RadioSelect(
                    attrs={"class": "govuk-radios--small govuk-radios--inline"}),
                error_messages={"required": f"Choose how to hear about: {event.label}.",
                                "invalid_choice": f"Choose how to hear about: {event.label}."})

    def groups(self) -> list[tuple[str, list]]:
        """[(app's name, [bound fields])], for the page's headings."""
        return [(name, [self[e.key] for e in found])
                for name, found in notifications.grouped(self.events)]


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label="Why are you discarding it?", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the message's record, for whoever looks at it later.")
