"""`borough match_ticket_links`: link tickets to the CI and business service their free
text names (servicedesk.matching), for after the CMDB and the catalogue are loaded — the
migration that introduced the links ran before there was anything to match in a new
installation. Only tickets not yet linked are touched; each one linked gets an audit
event ("Matched from the text as reported"). Safe to run again. `--organisation CODE`
for one council, `--json` for the figures.
"""

from __future__ import annotations

from borough.core import audit
from borough.core.management.base import BoroughCommand
from borough.core.models import AuditAction
from borough.servicedesk import matching
from borough.servicedesk.models import Ticket

NOTE = "Matched from the text as reported"


def targets() -> list[matching.Target]:
    return [matching.Target("configuration_item", "ci", Ticket.ci.field.related_model),
            matching.Target("business_service", "service", Ticket.service.field.related_model)]


def link_with_audit(target: matching.Target, *, organisation_id=None) -> matching.Outcome:
    label = str(Ticket._meta.get_field(target.link_field).verbose_name)

    def linked(record_id: int, ticket_ids: list[int]) -> None:
        record = target.model._default_manager.get(pk=record_id)
        tickets = Ticket.objects.filter(pk__in=ticket_ids).only(
            "pk", "reference", "title", "organisation_id", "version")
        audit.record_bulk(tickets, AuditAction.UPDATE, actor=None, note=NOTE,
                          changes_for=lambda ticket: {label: [None, str(record)]})

    # Each batch commits with its audit events (matching._link): a long run holds no
    # transaction open, and one stopped halfway is finished by running it again.
    return matching.match(Ticket.objects, target, organisation_id=organisation_id,
                          linked=linked)


class Command(BoroughCommand):
    help = "Link tickets to the configuration item and service their free text names."
    takes_organisation = True
    organisation_help = "Match this organisation's tickets only (default: all)."
    reports_figures = True

    def run(self, *args, **options):
        organisation = self.organisation(options)
        org_id = organisation.pk if organisation is not None else None
        return {target.link_field: link_with_audit(target, organisation_id=org_id).as_dict()
                for target in targets()}

    def describe(self, figures: dict) -> str:
        lines = []
        for link, noun in (("ci", "configuration item"), ("service", "business service")):
            found = figures[link]
            lines.append(
                f"{noun.capitalize()}: {found['linked_tickets']:,} tickets linked by "
                f"{found['matched_texts']:,} texts; {found['unmatched_texts']:,} texts kept "
                f"as reported ({found['ambiguous_texts']:,} naming more than one).")
        return "\n".join(lines)
