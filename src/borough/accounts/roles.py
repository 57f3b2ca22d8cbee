"""The roles Borough ships with. Each is a Django group; apps grant permissions to
them through the core registry (see core.roles)."""

REQUESTER = "Requester"
AGENT = "Service Desk Agent"
TEAM_LEAD = "Team Lead"
CHANGE_MANAGER = "Change Manager"
CAB_MEMBER = "CAB Member"
SECURITY_OFFICER = "Security Officer"
ICT_MANAGER = "ICT Manager"
SERVICE_UNIT_HEAD = "Service Unit Head"
AUDITOR = "Auditor"
ADMINISTRATOR = "Administrator"

ALL_ROLES = [
    REQUESTER, AGENT, TEAM_LEAD, CHANGE_MANAGER, CAB_MEMBER, SECURITY_OFFICER,
    ICT_MANAGER, SERVICE_UNIT_HEAD, AUDITOR, ADMINISTRATOR,
]
STAFF_ROLES = [r for r in ALL_ROLES if r != REQUESTER]
# Roles that read everything in their organisation.
READ_ALL_ROLES = [AGENT, TEAM_LEAD, CHANGE_MANAGER, CAB_MEMBER, SECURITY_OFFICER,
                  ICT_MANAGER, SERVICE_UNIT_HEAD, AUDITOR, ADMINISTRATOR]

# Most privileged first: when several directory groups map to roles in one
# organisation, the user gets the first of these they hold (ldap_backend).
# Administrators change everything; managers approve and own processes; the
# Security Officer alone sees security incidents; agents work tickets; the
# Auditor reads everything but changes nothing; requesters see their own.
BY_PRIVILEGE = [
    ADMINISTRATOR, ICT_MANAGER, SECURITY_OFFICER, SERVICE_UNIT_HEAD, CHANGE_MANAGER,
    TEAM_LEAD, CAB_MEMBER, AGENT, AUDITOR, REQUESTER,
]


def most_privileged(role_names) -> str | None:
    """The most privileged of the given role names; None when there are none."""
    held = set(role_names)
    return next((role for role in BY_PRIVILEGE if role in held), None)
