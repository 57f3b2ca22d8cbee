"""An article's lifecycle (docs/knowledge.md): a draft is published (to staff, or to
everyone in the portal, as its audience says), retired when it no longer applies, and can
be published again."""

from __future__ import annotations

from borough.core.lifecycle import Lifecycle, Move, Transition, model_permission
from borough.knowledge.models import Article, Status

EDITORS = model_permission("change", "those who write articles",
                           refusal="Only those who write articles can do that.")


def stamp_published(move: Move) -> None:
    move.record.published_at = move.now


ARTICLE = Lifecycle(Article, "status", transitions=[
    Transition("publish", "Publish", (Status.DRAFT, Status.RETIRED), Status.PUBLISHED,
               who=EDITORS, after=(stamp_published,),
               refusal="{reference} is already published.",
               conditions="staff articles to staff; public ones in the portal too"),
    Transition("retire", "Retire", (Status.PUBLISHED,), Status.RETIRED, who=EDITORS,
               refusal="Only a published article can be retired; {reference} is {state}.",
               conditions="no longer shown or suggested"),
])
