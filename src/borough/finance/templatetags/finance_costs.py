from django import template

from borough.finance import costs

register = template.Library()


@register.filter
def by_kind(cost: costs.TotalCost, kind: str):
    """The part of a total cost from one kind of source (contract, lines…)."""
    return cost.by_kind(kind)


@register.filter
def shared_cost(cost: costs.TotalCost):
    """What a total takes from others: infrastructure and the systems of a service."""
    return cost.by_kind(costs.INFRASTRUCTURE) + cost.by_kind(costs.COMPONENT)
