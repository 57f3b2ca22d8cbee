"""The demo council's configuration library: its configuration management process, the
standard build guide, the network diagram, runbooks for the Moresby fail-over and the
backups, and a continuity plan — each a published text version, linked to the items,
class or service it is about; one overdue for review, as a real library has. Safe to run
again: a document of the same title is left as it is."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.cmdb.models import CIClass, ConfigurationItem
from borough.core import services
from borough.demo import organisations
from borough.library import services as library_services
from borough.library.models import Document, DocumentLink
from borough.organisation import models as org

# title, kind, topic, months between reviews, days until review (negative: overdue),
# links ("ci:<name>", "class:<code>", "service:<name>"), the text
DOCUMENTS = [
    ("Configuration management process", "process", "configuration_management", 12, 200,
     ["class:application"],
     "How ICT records what it manages: every server, application and link is a configuration "
     "item in Borough, added when it is built and retired, never deleted, when it goes."),
    ("Corporate desktop build guide", "build_guide", "", 6, 60,
     ["ci:Corporate desktop build 2026.1", "class:end-user-device"],
     "Building a laptop or desktop to the corporate standard: image, domain join, encryption."),
    ("Whitehaven and Moresby network diagram", "network_diagram", "", 12, 30,
     ["ci:WHV-CORE01", "ci:MOR-CORE01", "ci:Whitehaven to Moresby link"],
     "The core switches, the firewall, the link between the offices and the internet."),
    ("Fail-over to Moresby runbook", "runbook", "", 6, -20,
     ["ci:MORHOST01", "ci:DC02", "service:Email"],
     "Bringing the standby host at Moresby into service when the computer room is lost."),
    ("Nightly backup runbook", "runbook", "", 12, 150, ["ci:BKP01", "ci:MOR-BACKUP01"],
     "What the backup suite copies each night, how to check it ran, and how to restore."),
    ("Council Tax continuity plan", "process", "", 12, 90, ["service:Council Tax"],
     "Keeping council tax billing and payments going when its systems are down."),
]


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    owner = org.Person.objects.filter(organisation=organisation, user=keeper).first()
    if owner is None:
        return 0
    today = timezone.localdate()
    added = 0
    for title, kind, topic, months, due, links, text in DOCUMENTS:
        if Document.objects.filter(organisation=organisation, title=title).exists():
            continue
        document = services.create_record(Document(
            organisation=organisation, title=title, kind=kind, topic=topic, owner=owner,
            review_period_months=months, next_review_on=today + timedelta(days=due),
            classification="official"), actor=keeper, note="Demo library.")
        upload = SimpleUploadedFile(f"{title.lower().replace(' ', '-')}.txt",
                                    f"{title}\n\n{text}\n".encode(), content_type="text/plain")
        library_services.upload_version(document, upload, actor=keeper,
                                        change_note="First version.")
        for target in links:
            what, name = target.split(":", 1)
            link = DocumentLink(organisation=organisation, document=document)
            if what == "ci":
                link.configuration_item = ConfigurationItem.objects.filter(
                    organisation=organisation, name=name).first()
            elif what == "class":
                link.ci_class = CIClass.objects.filter(organisation=organisation,
                                                       code=name).first()
            else:
                link.business_service = BusinessService.objects.filter(
                    organisation=organisation, name=name).first()
            if link.configuration_item or link.ci_class or link.business_service:
                services.create_record(link, actor=keeper)
        added += 1
    return added
