"""`borough demo` refuses in production mode (it resets 'admin'); the documented override
is running that one command in development mode (docs/installing.md)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from borough.organisation.models import Organisation


@pytest.mark.django_db
def test_demo_refuses_in_production_mode_and_names_the_override(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="Run it without BOROUGH_MODE=production"):
        call_command("demo", "--quiet-logins")
    assert not Organisation.objects.exists()


def test_installing_documents_the_override():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "installing.md").read_text()
    assert "BOROUGH_MODE=development DEBUG=false" in text
    assert "not in the repository yet" not in text
