from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from borough.core import audit, services
from borough.core.models import AuditAction, Comment
from borough.core.queries import none_recorded

MAX_COMMENT = 20000


def add_comment(target, body: str, *, actor, internal: bool = False) -> Comment:
    services.require(actor, "add", Comment, target.organisation_id)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Enter a comment."})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": f"Comments must be {MAX_COMMENT:,} characters or fewer."})
    with transaction.atomic():
        comment = Comment(
            organisation_id=target.organisation_id,
            content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk,
            body=body, is_internal=internal, created_by=actor, updated_by=actor,
        )
        comment.full_clean()
        comment.save()
        # History says a comment was made, not what it said: it may be an internal note.
        audit.record(target, AuditAction.COMMENT, actor=actor,
                     changes={"comment": [None, "internal note" if internal else "comment"]})
    return comment


def comments_for(target, user) -> list[Comment]:
    if none_recorded(target, "record_has_comments"):
        return []
    return list(
        Comment.objects.visible_to(user)
        .filter(content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk)
        .select_related("created_by")
    )
