"""Reads of the configuration library that are more than a filter: a document's
versions, the documents that apply to a configuration item or class, and the panels the
CI and class pages show. Other apps read the library through here."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from borough.core import scope
from borough.core.queries import none_recorded
from borough.library.models import Document, DocumentLink, DocumentStatus, DocumentVersion


def versions_of(document: Document, user) -> list[DocumentVersion]:
    """Every version, newest first, with who uploaded and published it."""
    return list(DocumentVersion.objects.visible_to(user).filter(document=document)
                .select_related("created_by", "published_by").order_by("-number"))


def current_version(versions: list[DocumentVersion]) -> DocumentVersion | None:
    """The latest published of `versions` (newest first)."""
    return next((v for v in versions if v.is_published), None)


def links_of(document: Document, user) -> list[DocumentLink]:
    return list(DocumentLink.objects.visible_to(user).filter(document=document)
                .select_related("configuration_item__ci_class", "ci_class", "business_service")
                .order_by("ci_class__name", "configuration_item__name", "id"))


def _rows(links) -> list[dict]:
    """One row per document (its first link), by title, with whether it is overdue."""
    rows = {}
    for link in links:
        rows.setdefault(link.document_id, {"document": link.document, "link": link})
    today = timezone.localdate()
    return [{**row, "overdue": row["document"].review_overdue(today)} for row in rows.values()]


def _links(user, **where):
    return (DocumentLink.objects.visible_to(user).filter(**where)
            .select_related("document__owner").order_by("document__title", "id"))


def item_annotations() -> dict:
    """For a CI page's own read of the item (core.queries.with_record_extras): whether any
    document is linked to it or to its class."""
    return {"panel_document_links": Exists(DocumentLink.objects.filter(
        Q(configuration_item=OuterRef("pk")) | Q(ci_class_id=OuterRef("ci_class_id"))))}


def documents_for_item(item, user) -> list[dict]:
    """The documents linked to a configuration item, then those linked to its class
    (each once, the item's own link first), with whether each is overdue for review. One
    query for both."""
    if none_recorded(item, "panel_document_links"):
        return []
    links = list(DocumentLink.objects.visible_to(user)
                 .filter(Q(configuration_item=item) | Q(ci_class_id=item.ci_class_id))
                 .select_related("document__owner").order_by("document__title", "id"))
    own = _rows(link for link in links if link.configuration_item_id)
    seen = {row["document"].pk for row in own}
    by_class = [row for row in _rows(link for link in links if link.ci_class_id)
                if row["document"].pk not in seen]
    return own + by_class


def documents_for_class(ci_class, user) -> list[dict]:
    return _rows(_links(user, ci_class=ci_class))


def documents_for_service(service, user) -> list[dict]:
    return _rows(_links(user, business_service=service))


def service_panel(service, user) -> dict | None:
    """The business service page's "Documents" section."""
    return _panel(user, service.organisation_id, documents_for_service(service, user),
                  f"business_service={service.pk}", "this service")


def _panel(user, organisation_id, rows, add_query: str, what: str) -> dict | None:
    if not scope.can(user, "view", Document, organisation_id):
        return None  # a role that does not read the library sees no panel at all
    may_link = scope.can(user, "add", DocumentLink, organisation_id)
    return {"rows": rows, "what": what,
            "add_url": f"{reverse('library:documentlink_add')}?{add_query}" if may_link else "",
            "list_url": reverse("library:document_list")}


def item_panel(item, user) -> dict | None:
    """The CI page's "Documents" section (registry.add_detail_panel)."""
    if not scope.can(user, "view", Document, item.organisation_id):
        return None
    return _panel(user, item.organisation_id, documents_for_item(item, user),
                  f"configuration_item={item.pk}", "this item or its class")


def class_panel(ci_class, user) -> dict | None:
    """The CI class page's "Documents" section."""
    if not scope.can(user, "view", Document, ci_class.organisation_id):
        return None
    return _panel(user, ci_class.organisation_id, documents_for_class(ci_class, user),
                  f"ci_class={ci_class.pk}", "this class")


def reviews_due(organisation, on) -> tuple[int, int]:
    """(published documents, of which overdue for review) on `on`, for the evidence."""
    published = Document.objects.for_organisation(organisation).filter(status="published")
    return published.count(), published.filter(next_review_on__lt=on).count()




def current_documents(organisation_id: int, topic: str, as_of=None) -> list[Document]:
    """The organisation's published documents of `topic` (a `Topic`) with a version
    published by `as_of` (now if None), by title: another app's "is this process
    published, and where is it" (the procurement pages link the ICT procurement procedure
    from here; its evidence rule counts it)."""
    as_of = as_of or timezone.now()
    versions = DocumentVersion.objects.filter(organisation_id=organisation_id,
                                              published_at__isnull=False,
                                              published_at__lte=as_of)
    return list(Document.objects.filter(organisation_id=organisation_id, topic=topic,
                                        status=DocumentStatus.PUBLISHED, created_at__lte=as_of,
                                        pk__in=versions.values("document_id"))
                .select_related("owner").order_by("title", "id"))
