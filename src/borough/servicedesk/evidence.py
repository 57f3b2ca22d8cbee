"""Service desk evidence rules for the standards module (see core.evidence)."""


def register(registry) -> None:
    """Add this module's rules to `registry.evidence_rules`."""
