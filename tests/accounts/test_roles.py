"""Role ranking. What each role may do on every registered model's pages and API is
checked by the registry suite (tests/declared/), against the roles' grants."""

from __future__ import annotations

from borough.core import roles


def test_every_role_has_a_privilege_rank():
    assert sorted(roles.BY_PRIVILEGE) == sorted(roles.ALL_ROLES)
    assert roles.most_privileged([roles.REQUESTER, roles.ADMINISTRATOR]) == roles.ADMINISTRATOR
    assert roles.most_privileged([roles.REQUESTER, roles.AUDITOR]) == roles.AUDITOR
    assert roles.most_privileged([]) is None
