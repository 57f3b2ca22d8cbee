"""Reads of the assessments part that are more than a filter: the record a reference or
page address points at, for evidence, and the page of a linked record."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse

from borough.core.registry import registry
from borough.standards.models import Evidence, StandardAssessment

REFERENCE = re.compile(r"^[A-Za-z]{2,8}-\d{1,10}$", re.ASCII)
NOT_FOUND = ("No record you can see has that reference or address. Give a reference such "
             "as INC-000123, or the address of a Borough page showing one record.")


def find_record(text: str, *, actor) -> models.Model:
    """The record a reference (INC-000123) or a Borough page address
    (/service-desk/tickets/12/, or the full address on this site) points at — only
    among records the actor can see. Nothing is fetched: the address is matched
    against Borough's own URL patterns."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"record": "Enter a reference or a page address."})
    if len(text) > 500:
        raise ValidationError({"record": NOT_FOUND})
    if REFERENCE.match(text):
        for entry in registry.all():
            model = entry.model
            if not any(f.name == "reference" for f in model._meta.fields):
                continue
            found = model.objects.visible_to(actor).filter(reference__iexact=text).first()
            if found is not None:
                return found
        raise ValidationError({"record": NOT_FOUND})
    parts = urlsplit(text)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        raise ValidationError({"record": NOT_FOUND})
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise ValidationError({"record": NOT_FOUND}) from None
    pk = match.kwargs.get("pk")
    for entry in registry.all():
        if entry.url_name("detail") == match.view_name and pk is not None:
            found = entry.model.objects.visible_to(actor).filter(pk=pk).first()
            if found is not None:
                return found
    if match.view_name == "standards:rating_detail" and pk is not None:
        found = StandardAssessment.objects.visible_to(actor).filter(pk=pk).first()
        if found is not None:
            return found
    raise ValidationError({"record": NOT_FOUND})


def record_url(evidence: Evidence) -> str | None:
    """The page of the linked record, if it has one."""
    if evidence.record_type_id is None:
        return None
    model = evidence.record_type.model_class()
    if model is StandardAssessment:
        return reverse("standards:rating_detail", args=[evidence.record_id])
    if model in registry.entries:
        return reverse(registry.get(model).url_name("detail"), args=[evidence.record_id])
    return None


