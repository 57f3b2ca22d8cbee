"""cmdb.queries.systems_depending_on_each, one walk for many items, gives for every item
what its own walk gives (dependent_ids, live applications only, not itself), on a
generated estate with redundancy, chains and cycles between applications."""

import pytest

from borough.cmdb import queries, rules
from borough.cmdb.models import ConfigurationItem, Status

pytestmark = pytest.mark.django_db


def one_at_a_time(item_id: int) -> list[int]:
    return sorted(ConfigurationItem.objects.filter(
        pk__in=queries.dependent_ids(item_id), ci_class__code=rules.APPLICATION)
        .exclude(status=Status.RETIRED).exclude(pk=item_id).values_list("pk", flat=True))


def test_each_item_gets_what_its_own_walk_gives(org_a):
    from bench.cmdb import seed

    seed.seed(org_a, 400, 1_800)
    items = ConfigurationItem.objects.filter(organisation=org_a)
    applications = list(items.filter(ci_class__code=rules.APPLICATION).order_by("pk"))
    applications[1].status = Status.RETIRED  # a retired system is shared nothing
    applications[1].save()
    chosen = list(items.exclude(ci_class__code="end-user-device").order_by("pk")
                  .values_list("pk", flat=True)[::3])
    chosen += [applications[0].pk, applications[2].pk]  # systems below systems, cycles
    found = queries.systems_depending_on_each(org_a.pk, chosen)
    assert set(found) == set(chosen)
    assert any(len(systems) > 5 for systems in found.values())  # shared infrastructure
    for pk in chosen:
        assert found[pk] == one_at_a_time(pk), pk
    assert queries.systems_depending_on_each(org_a.pk, []) == {}
