"""The email module's API: mailboxes and notification templates (registered models),
received messages with the quarantine's release and discard, the sent-email log (both
read-only), and the caller's own email preferences."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from borough.core import notifications
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import (
    IDEMPOTENCY_HEADER,
    ORGANISATION_HEADER,
    BaseModelViewSet,
    ScopedListMixin,
    model_key,
    required_version,
    write_data,
)
from borough.mail import filters as f
from borough.mail import inbound, services
from borough.mail import models as m

# --- mailboxes --------------------------------------------------------------------------


class MailboxSerializer(BaseModelSerializer):

    class Meta:
        model = m.Mailbox
        fields = [*BaseModelSerializer.base_fields(), "name", "address", "is_active",
                  "is_default", "imap_host", "imap_port", "imap_ssl", "imap_username",
                  "imap_password_env", "imap_folder", "last_polled_at", "last_poll_error"]
        # Uniqueness is checked ignoring case, with a clear message, in validate_address.
        extra_kwargs = {"address": {"validators": []},
                        "imap_password_env": {"help_text": "The name of an environment "
                                              "variable holding the password; the password "
                                              "itself is never stored."}}

    def validate_address(self, value):
        address = services.normalise_address(value)
        if services.address_taken(address, exclude_pk=getattr(self.instance, "pk", None)):
            raise serializers.ValidationError(services.ADDRESS_TAKEN)
        return address

    def validate_imap_password_env(self, value):
        if value and not services.ENV_NAME.fullmatch(value.strip()):
            raise serializers.ValidationError(services.ENV_NAME_MESSAGE)
        return value.strip()


class MailboxViewSet(BaseModelViewSet):
    model = m.Mailbox
    serializer_class = MailboxSerializer
    filterset_class = f.MailboxFilterSet
    ordering_fields = ("address", "name", "id")

    def perform_create(self, serializer):
        mailbox = m.Mailbox(**write_data(serializer),
                            organisation_id=self.request.user.active_organisation_id)
        serializer.instance = services.create_mailbox(
            mailbox, actor=self.request.user,
            idempotency_key=model_key(m.Mailbox, self.request.META.get(IDEMPOTENCY_HEADER)))

    def perform_update(self, serializer):
        version = required_version(self.request)
        serializer.instance = services.update_mailbox(
            serializer.instance, actor=self.request.user, **write_data(serializer), expected_version=version)


# --- notification templates -------------------------------------------------------------


class EventField(serializers.ChoiceField):
    """A registered notification event's key. Its choices are read when a serializer is
    made (apps register their events when Borough starts, after this module is read), so
    the schema lists them all as an enum."""

    def __init__(self, events=notifications.registered_events, **kwargs):
        self.events = events
        kwargs.setdefault("error_messages", {
            "invalid_choice": services.UNKNOWN_EVENT.replace("{value}", "{input}")})
        super().__init__(choices=(), **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.choices = [(e.key, e.label) for e in self.events()]


class NotificationTemplateSerializer(BaseModelSerializer):
    event = EventField(help_text="The event whose emails this template writes.")

    class Meta:
        model = m.NotificationTemplate
        fields = [*BaseModelSerializer.base_fields(), "event", "subject", "text_body",
                  "html_body"]

    def _checked(self, value, *, html=False):
        event = self.initial_data.get("event") if hasattr(self, "initial_data") else None
        problem = services.template_problem(
            value, html=html, event=event or getattr(self.instance, "event", ""))
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_subject(self, value):
        return self._checked(value)

    def validate_text_body(self, value):
        return self._checked(value)

    def validate_html_body(self, value):
        return self._checked(value, html=True)


class NotificationTemplateViewSet(BaseModelViewSet):
    """The organisation's wording per event; an event without one uses Borough's own."""

    model = m.NotificationTemplate
    serializer_class = NotificationTemplateSerializer
    filterset_class = f.NotificationTemplateFilterSet
    ordering_fields = ("event", "id")

    def perform_create(self, serializer):
        template = m.NotificationTemplate(
            **write_data(serializer), organisation_id=self.request.user.active_organisation_id)
        serializer.instance = services.create_template(
            template, actor=self.request.user,
            idempotency_key=model_key(m.NotificationTemplate,
                                      self.request.META.get(IDEMPOTENCY_HEADER)))

    def perform_update(self, serializer):
        version = required_version(self.request)
        serializer.instance = services.update_template(
            serializer.instance, actor=self.request.user, **write_data(serializer), expected_version=version)


# --- received messages and the quarantine -----------------------------------------------


# Before mail named records generically, its rows pointed at service desk tickets; the
# `ticket` field stays for the clients that read it (the one place mail names the desk).
OLD_TICKET = ("servicedesk", "ticket")


class ThreadFields(serializers.Serializer):
    """The record a message or email concerns, of whichever module: its kind and id."""

    thread_type = serializers.SerializerMethodField(
        help_text='The kind of record it concerns, as "app.model" (e.g. "servicedesk.ticket"),'
                  " or null.")
    ticket = serializers.SerializerMethodField(
        help_text="Deprecated: thread_id when the record is a service desk ticket. Read "
                  "thread_type and thread_id.")

    def _type(self, obj):
        if obj.thread_type_id is None:
            return None
        return ContentType.objects.get_for_id(obj.thread_type_id)  # cached: no query a row

    def get_thread_type(self, obj) -> str | None:
        kind = self._type(obj)
        return f"{kind.app_label}.{kind.model}" if kind else None

    def get_ticket(self, obj) -> int | None:
        kind = self._type(obj)
        return obj.thread_id if kind and (kind.app_label, kind.model) == OLD_TICKET else None


class InboundMessageSerializer(ThreadFields, BaseModelSerializer):
    original_kept = serializers.SerializerMethodField(
        help_text="Whether the message as received is kept (while it is in the quarantine).")

    class Meta:
        model = m.InboundMessage
        fields = [*BaseModelSerializer.base_fields(), "mailbox", "message_id", "via", "sender",
                  "sender_name", "subject", "size", "text", "outcome", "reason", "handled_by",
                  "thread_type", "thread_id", "ticket", "person", "new_contact", "duplicates",
                  "original_kept"]
        read_only_fields = fields

    def get_original_kept(self, obj) -> bool:
        return bool(obj.raw_name)


class DiscardSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                   default="", help_text="Why, kept with the message.")


class ReadOnlyScopedViewSet(ScopedListMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    ordering_fields: tuple[str, ...] = ("created_at", "id")

    def record(self):
        """The record named in the URL, among those the caller may see (else 404)."""
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


@extend_schema(parameters=[ORGANISATION_HEADER])
class InboundMessageViewSet(ReadOnlyScopedViewSet):
    """Every message received, with what became of it. Quarantined ones can be released
    (processed as if they had passed) or discarded, by those who manage the mailboxes."""

    model = m.InboundMessage
    serializer_class = InboundMessageSerializer
    filterset_class = f.InboundMessageFilterSet
    select_related = ("mailbox",)
    action_permissions = {"release": "change", "discard": "change"}

    def _answer(self, record):
        return Response(InboundMessageSerializer(
            record, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=InboundMessageSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._answer(inbound.release(self.record(), actor=request.user))

    @extend_schema(request=DiscardSerializer, responses=InboundMessageSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        record = self.record()
        body = DiscardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(inbound.discard(
            record, actor=request.user, reason=body.validated_data["reason"]))


class OutboundEmailSerializer(ThreadFields, BaseModelSerializer):
    """An email Borough wrote, without its words: a requester's email carries signed links
    that act as them, so the log shows only where it went and how sending went."""

    # Plain text in the schema: an enum named "status" would collide with the tickets'.
    status = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(
        f"{value} ({label})" for value, label in m.SendStatus.choices) + ".")

    class Meta:
        model = m.OutboundEmail
        fields = [*BaseModelSerializer.base_fields(), "thread_type", "thread_id", "ticket",
                  "recipient", "user", "event", "subject", "from_address", "message_id",
                  "in_reply_to", "status", "attempts", "next_attempt_at", "sent_at", "error"]
        read_only_fields = fields


@extend_schema(parameters=[ORGANISATION_HEADER])
class OutboundEmailViewSet(ReadOnlyScopedViewSet):
    """The sent-email log: every email Borough wrote, and whether it went."""

    model = m.OutboundEmail
    serializer_class = OutboundEmailSerializer
    filterset_class = f.OutboundEmailFilterSet


# --- the caller's own email preferences -------------------------------------------------


class PreferenceSerializer(serializers.Serializer):
    event = EventField(events=services.preference_events, error_messages={
        "invalid_choice": "“{input}” is not an event staff choose how to hear about: a "
                          "requester's emails always go, and other keys are not events. "
                          "The choices are this field's enum in the API schema."})
    label = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(choices=m.Delivery.choices)


class MayChooseEmail(permissions.BasePermission):
    """Signed in, working tickets in the active organisation; a read-only token reads."""

    message = ("Email notifications are for people who work service desk tickets in this "
               "organisation.")

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method not in permissions.SAFE_METHODS and getattr(
                request.auth, "read_only", False):
            self.message = "This token is read-only."
            return False
        return services.may_choose_email(user, getattr(user, "active_organisation_id", None))


@extend_schema(parameters=[ORGANISATION_HEADER])
class PreferencesViewSet(viewsets.ViewSet):
    """How the caller hears of each event by email, in the active organisation: straight
    away, in a daily digest, or not by email. `PUT` the events to change; the rest keep
    theirs."""

    permission_classes = [MayChooseEmail]

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # The collection is the resource: PUT replaces the choices at the same URL as GET.
        if actions and actions.get("get") == "list":
            actions = {**actions, "put": "update_all"}
        return super().as_view(actions, **initkwargs)

    def _answer(self, choices: dict[str, str]):
        rows = [{"event": event, "label": notifications.label_of(event), "delivery": delivery}
                for event, delivery in choices.items()]
        return Response(PreferenceSerializer(rows, many=True).data)

    @extend_schema(responses=PreferenceSerializer(many=True))
    def list(self, request):
        organisation_id = services.require_staff(request.user)
        return self._answer(services.preferences_for(request.user, organisation_id))

    @extend_schema(request=PreferenceSerializer(many=True),
                   responses=PreferenceSerializer(many=True))
    def update_all(self, request):
        body = PreferenceSerializer(data=request.data, many=True)
        body.is_valid(raise_exception=True)
        choices = {row["event"]: row["delivery"] for row in body.validated_data}
        return self._answer(services.save_preferences(request.user, choices,
                                                      actor=request.user))
