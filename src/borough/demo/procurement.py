"""Procurement for the demo council: Copeland's approval steps (up to £5,000 the ICT
manager, up to £25,000 the head of finance, above that the Executive), its ICT procurement
procedure published in the library, and three business cases played through the
services: the e-forms platform waiting for the head of finance, the concessionary travel
system's support approved and become its contract, and a web filtering appliance refused.
Safe to run again: a council with approval steps is left as it is."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from borough.cmdb.models import ConfigurationItem
from borough.commercial.models import Supplier
from borough.core import roles, services
from borough.demo import organisations
from borough.demo.standards import FRAMEWORK_CODE
from borough.library import services as library_services
from borough.library.models import Document
from borough.organisation import models as org
from borough.procurement import models as m
from borough.procurement import services as procurement
from borough.standards.models import CorporateObjective, Framework, Standard

PROCEDURE = (
    "ICT procurement procedure",
    "How ICT spend is requested, appraised and approved in Copeland. Every request for ICT "
    "spend is a business case in Borough: what is needed and why, the corporate objectives "
    "and ICT standards it serves, at least two options (one provided in house, one by a "
    "supplier) with their whole-life cost, benefits and risks, and where the money comes "
    "from. Up to £5,000 the ICT manager approves; up to £25,000 the head of finance approves "
    "after the ICT manager; above that the Executive decides after both. The council's "
    "contract procedure rules apply to every purchase; an approved request becomes its "
    "contract in the contracts register.")

# title, unit, value of the recommended option, the other option, what happens, supplier
CASES = [
    ("Concessionary travel system support, 2026 to 2029", "Customer Services",
     Decimal("4500.00"), Decimal("9800.00"), "contract", "Transit Data Systems Ltd"),
    ("E-forms platform for online services", "Communications", Decimal("18000.00"),
     Decimal("26000.00"), "waiting", "Nimbus Forms Ltd"),
    ("Second web filtering appliance", "ICT", Decimal("9000.00"), Decimal("12000.00"),
     "refused", "SecureGate Networks Ltd"),
]
# What each case serves: the corporate plan's objectives and the framework's standards
# (the standards demo's codes), by the case's title.
SERVES = {
    CASES[0][0]: (["CP1", "CP5"], ["strategic-sourcing", "supplier-management"]),
    CASES[1][0]: (["CP1", "CP2"], ["business-change", "stakeholder-relationships"]),
    CASES[2][0]: (["CP4"], ["information-security"]),
}


def load() -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    return {council.code: load_organisation(council, keeper)} if keeper else {}


def _user(organisation, login):
    return get_user_model().objects.filter(username=f"{organisation.code}-{login}").first()


def _person(organisation, user):
    return org.Person.objects.filter(organisation=organisation, user=user).first()


@transaction.atomic
def load_organisation(organisation, keeper) -> int:
    """The steps, the procedure and the cases; returns how many requests it added."""
    if m.ApprovalStep.objects.filter(organisation=organisation).exists():
        return 0
    head = _user(organisation, "unithead")  # the demo's head of finance
    lead = _user(organisation, "teamlead")
    if head is None or lead is None:
        return 0
    head_person = _person(organisation, head)
    services.create_record(m.ApprovalStep(
        organisation=organisation, name="ICT manager", up_to=Decimal("5000"),
        approver_role=roles.ICT_MANAGER), actor=keeper)
    services.create_record(m.ApprovalStep(
        organisation=organisation, name="Head of finance", up_to=Decimal("25000")),
        actor=keeper, many_to_many={"approvers": [head_person]})
    services.create_record(m.ApprovalStep(
        organisation=organisation, name="Executive", up_to=None,
        approver_role=roles.ADMINISTRATOR, approvals_needed=1), actor=keeper)
    _publish_procedure(organisation, keeper)

    units = {u.name: u for u in org.ServiceUnit.objects.filter(organisation=organisation)}
    requester, owner = _person(organisation, lead), _person(organisation, keeper)
    for title, unit, value, other, outcome, supplier_name in CASES:
        supplier = Supplier.objects.filter(organisation=organisation,
                                           name=supplier_name).first() or \
            services.create_record(Supplier(organisation=organisation, name=supplier_name),
                                   actor=keeper)
        request = services.create_record(m.ProcurementRequest(
            organisation=organisation, title=title, service_unit=units.get(unit),
            requester=requester, owner=owner,
            description=f"{title}, with implementation and support.",
            justification="The current arrangement ends this year and the service needs it "
                          "to go on; doing nothing leaves it unsupported.",
            funding_source=m.FundingSource.REVENUE, financial_year="2026/27",
            cost_centre=f"ICT{100 + len(title) % 7}"), actor=lead,
            many_to_many=_serves(organisation, title))
        procurement.save_option(m.ProcurementOption(
            organisation=organisation, request=request, description=f"{supplier_name}",
            provider=m.Provider.EXTERNAL, supplier=supplier, whole_life_cost=value,
            annual_cost=(value / 3).quantize(Decimal("0.01")), term_months=36,
            benefits="Proven with other councils; hosted and supported.",
            risks="Depends on the supplier's roadmap.", is_recommended=True), actor=lead)
        procurement.save_option(m.ProcurementOption(
            organisation=organisation, request=request, description="Provide it in house",
            provider=m.Provider.INTERNAL, whole_life_cost=other, term_months=36,
            benefits="Under our own control.",
            risks="Needs skills the team does not have; staff time."), actor=lead)
        request.refresh_from_db()
        procurement.submit(request, actor=lead)
        request.refresh_from_db()
        procurement.approve(request, actor=keeper, note="Meets the ICT strategy.")
        request.refresh_from_db()
        if outcome == "contract":
            item = ConfigurationItem.objects.filter(organisation=organisation,
                                                    name="Concessionary travel").first()
            procurement.create_contract(
                request, actor=keeper, configuration_item=item,
                **({} if item else {"new_application": "Concessionary travel"}))
        elif outcome == "refused":
            procurement.refuse(request, actor=head,
                               note="The existing firewall's licence covers web filtering: "
                                    "use it before buying another appliance.")
    return len(CASES)


def _serves(organisation, title: str) -> dict:
    objective_codes, standard_codes = SERVES.get(title, ([], []))
    objectives = list(CorporateObjective.objects.filter(organisation=organisation,
                                                        code__in=objective_codes))
    framework = Framework.objects.filter(code=FRAMEWORK_CODE).order_by("-version").first()
    standards = list(Standard.objects.filter(framework=framework, code__in=standard_codes)
                     ) if framework else []
    return {"objectives": objectives, "standards": standards}


def _publish_procedure(organisation, keeper) -> None:
    title, text = PROCEDURE
    if Document.objects.filter(organisation=organisation, title=title).exists():
        return
    owner = _person(organisation, keeper)
    document = services.create_record(Document(
        organisation=organisation, title=title, kind="process", topic="ict_procurement",
        owner=owner, review_period_months=12, classification="official"),
        actor=keeper, note="Demo procurement.")
    upload = SimpleUploadedFile("ict-procurement-procedure.txt",
                                f"{title}\n\n{text}\n".encode(), content_type="text/plain")
    library_services.upload_version(document, upload, actor=keeper,
                                    change_note="First version.")
