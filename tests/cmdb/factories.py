"""Factories for the CMDB's records."""

from __future__ import annotations

import factory
from django.utils import timezone

from borough.cmdb import models as m
from borough.core import references
from tests.organisation.factories import OrgOwnedFactory

SERVER_SCHEMA = [
    {"name": "hostname", "label": "Host name", "type": "text", "required": True},
    {"name": "cpu_cores", "label": "CPU cores", "type": "integer"},
    {"name": "ip_address", "label": "IP address", "type": "ip_address"},
]


class CIClassFactory(OrgOwnedFactory):
    class Meta:
        model = m.CIClass

    code = factory.Sequence(lambda n: f"class-{n}")
    name = factory.Sequence(lambda n: f"Class {n}")
    attribute_schema = factory.LazyFunction(lambda: [dict(a) for a in SERVER_SCHEMA])


class ConfigurationItemFactory(OrgOwnedFactory):
    class Meta:
        model = m.ConfigurationItem

    name = factory.Sequence(lambda n: f"Item {n}")
    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "CI"))
    ci_class = factory.SubFactory(CIClassFactory,
                                  organisation=factory.SelfAttribute("..organisation"))
    status = m.Status.LIVE
    attributes = factory.Sequence(lambda n: {"hostname": f"srv{n}", "cpu_cores": 4})


class RelationshipFactory(OrgOwnedFactory):
    class Meta:
        model = m.Relationship

    source = factory.SubFactory(ConfigurationItemFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    target = factory.SubFactory(ConfigurationItemFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    relationship_type = m.RelationshipType.DEPENDS_ON


class DirectorySourceFactory(OrgOwnedFactory):
    class Meta:
        model = m.DirectorySource

    name = factory.Sequence(lambda n: f"Directory {n}")
    server_uri = "ldap://127.0.0.1:1"  # nothing listens: a run fails at once
    base_dn = "dc=council,dc=example"
    server_class = factory.SubFactory(CIClassFactory,
                                      organisation=factory.SelfAttribute("..organisation"))
    device_class = factory.SubFactory(CIClassFactory,
                                      organisation=factory.SelfAttribute("..organisation"))


class DiscoveryRunFactory(OrgOwnedFactory):
    class Meta:
        model = m.DiscoveryRun

    source = factory.SubFactory(DirectorySourceFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    trigger = m.Trigger.ON_DEMAND
    outcome = m.RunOutcome.SUCCEEDED


class BaselineFactory(OrgOwnedFactory):
    """A baseline record; services.take_baseline is what freezes items into one."""

    class Meta:
        model = m.Baseline

    name = factory.Sequence(lambda n: f"Baseline {n}")
    description = "Before the server move"
    scope = m.BaselineScope.LIVE
    taken_at = factory.LazyFunction(timezone.now)


FACTORIES = {m.CIClass: CIClassFactory, m.ConfigurationItem: ConfigurationItemFactory,
             m.Relationship: RelationshipFactory, m.DirectorySource: DirectorySourceFactory,
             m.Baseline: BaselineFactory}
