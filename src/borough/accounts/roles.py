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
