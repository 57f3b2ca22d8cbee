"""Factories for the configuration library's records."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from borough.core import attachments, references
from borough.library import models as m
from tests.cmdb.factories import CIClassFactory, ConfigurationItemFactory
from tests.organisation.factories import OrgOwnedFactory, PersonFactory

CONTENT = b"Build guide for PAYSRV01.\n"


class DocumentFactory(OrgOwnedFactory):
    class Meta:
        model = m.Document

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "DOC"))
    title = factory.Sequence(lambda n: f"Document {n}")
    kind = m.Kind.BUILD_GUIDE
    owner = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    review_period_months = 12
    next_review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=200))


class DocumentVersionFactory(OrgOwnedFactory):
    """A version with a small text file really stored, as services.upload_version stores
    it (published unless `published_at=None`)."""

    class Meta:
        model = m.DocumentVersion

    document = factory.SubFactory(DocumentFactory,
                                  organisation=factory.SelfAttribute("..organisation"))
    number = factory.LazyAttribute(
        lambda o: (m.DocumentVersion.objects.filter(document=o.document)
                   .order_by("-number").values_list("number", flat=True).first() or 0) + 1
        if o.document.pk else 1)
    original_name = factory.Sequence(lambda n: f"guide-{n}.txt")
    stored_name = factory.LazyFunction(lambda: secrets.token_hex(24))
    size = len(CONTENT)
    media_type = "text/plain"
    sha256 = hashlib.sha256(CONTENT).hexdigest()
    change_note = "First issue."
    published_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        path = attachments.storage_root() / kwargs["stored_name"]
        path.write_bytes(CONTENT)
        path.chmod(0o600)
        return super()._create(model_class, *args, **kwargs)


class DocumentLinkFactory(OrgOwnedFactory):
    class Meta:
        model = m.DocumentLink

    document = factory.SubFactory(DocumentFactory,
                                  organisation=factory.SelfAttribute("..organisation"))
    configuration_item = factory.SubFactory(
        ConfigurationItemFactory, organisation=factory.SelfAttribute("..organisation"))
    ci_class = None
    business_service = None


class ClassLinkFactory(DocumentLinkFactory):
    configuration_item = None
    ci_class = factory.SubFactory(CIClassFactory,
                                  organisation=factory.SelfAttribute("..organisation"))


FACTORIES = {m.Document: DocumentFactory, m.DocumentVersion: DocumentVersionFactory,
             m.DocumentLink: DocumentLinkFactory}
