"""Demo councils, their structure and a login in every role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction

from borough.accounts.models import Membership, User
from borough.cmdb.services import install_default_classes
from borough.core import roles, services
from borough.organisation import models as m
from borough.organisation.services import create_organisation

COUNCILS = [
    {
        "name": "Copeland Borough Council", "code": "cbc", "nation": "england-and-wales",
        "email_domain": "copeland.example.gov.uk",
        "sites": [("The Copeland Centre", "Catherine Street", "Whitehaven", "CA28 7SJ"),
                  ("Moresby Parks Office", "Moresby Parks", "Moresby", "CA28 8XY")],
    },
    {
        "name": "Eskmouth District Council", "code": "edc", "nation": "scotland",
        "email_domain": "eskmouth.example.gov.uk",
        "sites": [("Eskmouth Civic Centre", "1 Harbour Road", "Eskmouth", "DG1 1AA")],
    },
]
SERVICE_UNITS = ["Finance", "Revenues and Benefits", "Planning", "Environmental Health",
                 "Housing", "Leisure", "Elections", "HR and Payroll", "Customer Services",
                 "Communications", "ICT"]
TEAMS = ["Service Desk", "Infrastructure", "Applications"]
ROLE_LOGINS = {
    roles.REQUESTER: "requester", roles.AGENT: "agent", roles.TEAM_LEAD: "teamlead",
    roles.CHANGE_MANAGER: "changemanager", roles.CAB_MEMBER: "cab",
    roles.SECURITY_OFFICER: "security", roles.ICT_MANAGER: "ictmanager",
    roles.SERVICE_UNIT_HEAD: "unithead", roles.AUDITOR: "auditor",
    roles.ADMINISTRATOR: "administrator",
}
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
FIRST_NAMES = ["Alex", "Sam", "Jo", "Chris", "Pat", "Morgan", "Robin", "Jamie", "Kim", "Lee"]


@dataclass
class DemoLogins:
    password: str
    usernames: list[tuple[str, str, str]] = field(default_factory=list)  # (org, role, username)


def demo_password(configured: str) -> str:
    # Letters and digits only, so it is easy to type and never starts with a dash.
    return configured or "".join(secrets.choice(ALPHABET) for _ in range(16))


def set_up_user(username: str, password: str, *, first: str, last: str, email: str,
                superuser: bool = False) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first, last, email
    user.is_active = True
    user.is_staff = superuser
    user.is_superuser = superuser
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def load(password: str) -> DemoLogins:
    logins = DemoLogins(password=password)
    admin = set_up_user("admin", password, first="Platform", last="Administrator",
                        email="admin@example.gov.uk", superuser=True)
    logins.usernames.append(("all organisations", "Superuser", "admin"))
    for council in COUNCILS:
        org = m.Organisation.objects.filter(code=council["code"]).first() or create_organisation(
            actor=None, name=council["name"], code=council["code"], nation=council["nation"],
            email_domain=council["email_domain"],
        )
        install_default_classes(org.pk)  # a council made before the CMDB existed
        units = {name: _get_or_create(m.ServiceUnit, org, name=name) for name in SERVICE_UNITS}
        sites = [_get_or_create(m.Site, org, name=name, address=address, town=town,
                                postcode=postcode)
                 for name, address, town, postcode in council["sites"]]
        teams = {name: _get_or_create(m.Team, org, name=name,
                                      email=f"{name.lower().replace(' ', '')}@{council['email_domain']}")
                 for name in TEAMS}
        for index, (role_name, login) in enumerate(ROLE_LOGINS.items()):
            username = f"{council['code']}-{login}"
            first = FIRST_NAMES[index]
            user = set_up_user(username, password, first=first, last=role_name.split()[0],
                               email=f"{login}@{council['email_domain']}")
            Membership.objects.update_or_create(
                user=user, organisation=org,
                defaults={"role": Group.objects.get(name=role_name), "is_default": True,
                          "is_active": True},
            )
            unit = units["ICT"] if role_name != roles.REQUESTER else units["Revenues and Benefits"]
            person = _get_or_create(m.Person, org, user=user, full_name=f"{first} {user.last_name}",
                                    email=user.email, job_title=role_name, service_unit=unit,
                                    site=sites[0])
            if role_name in (roles.AGENT, roles.TEAM_LEAD):
                m.TeamMembership.objects.get_or_create(
                    organisation=org, team=teams["Service Desk"], person=person,
                    defaults={"is_lead": role_name == roles.TEAM_LEAD},
                )
            logins.usernames.append((org.name, role_name, username))
    del admin
    return logins


def copeland_keeper() -> tuple[m.Organisation | None, User | None]:
    """Copeland, whose strategy describes the estate, and its ICT manager login, who keeps
    its catalogue and library in the demo; (None, None) before the logins exist."""
    council = m.Organisation.objects.filter(code="cbc").first()
    keeper = User.objects.filter(username="cbc-ictmanager").first() if council else None
    return council, keeper


def _get_or_create(model, org, **fields):
    lookup = {k: v for k, v in fields.items() if k in ("name", "full_name", "user")}
    existing = model.objects.filter(organisation=org, **lookup).first()
    if existing:
        return existing
    return services.create_record(model(organisation=org, **fields), actor=None)
