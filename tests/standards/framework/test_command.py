"""`borough load_framework FILE`: output, errors on stderr and the exit code."""

from __future__ import annotations

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from borough.standards import models as m

from .conftest import SMALL


@pytest.mark.django_db
def test_loads_a_file_and_says_what_it_loaded(test_rules, capsys):
    call_command("load_framework", str(SMALL), "--loaded-by", "Sam")
    out = capsys.readouterr().out
    assert "Loaded Digital basics (digital-basics version 1): 2 themes, 3 standards, 9 criteria." \
        in out
    assert m.Framework.objects.get().loaded_by == "Sam"
    call_command("load_framework", str(SMALL))
    assert "already loaded; nothing changed" in capsys.readouterr().out
    assert m.Framework.objects.count() == 1


@pytest.mark.django_db
def test_loads_the_shipped_framework_by_name(documented_rules, capsys):
    call_command("load_framework", "nesds-ict")
    assert "13 themes, 19 standards" in capsys.readouterr().out
    framework = m.Framework.objects.get(code="nesds-ict")
    assert framework.loaded_by.endswith("(command line)") or framework.loaded_by == "command line"


@pytest.mark.django_db
def test_check_validates_and_loads_nothing(test_rules, capsys):
    call_command("load_framework", str(SMALL), "--check")
    assert "is valid: digital-basics, 2 themes, 3 standards, 9 criteria" in \
        capsys.readouterr().out
    assert not m.Framework.objects.exists()


@pytest.mark.django_db
def test_a_bad_file_is_an_error_with_line_numbers(test_rules, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("theme: service\n    name: Service desk",
                                             "theme: servise\n    name: Service desk"))
    with pytest.raises(CommandError) as caught:
        call_command("load_framework", str(bad))
    message = str(caught.value)
    assert caught.value.returncode == 1
    assert message.splitlines()[1:3] == [
        "line 30: standard 'desk' names theme 'servise', which is not defined; did you mean "
        "'service'?",
        "Nothing was loaded. Correct the file and run the command again."]
    assert "Nothing was loaded" in message
    assert not m.Framework.objects.exists()


@pytest.mark.django_db
def test_from_the_command_line_errors_go_to_stderr_with_a_non_zero_exit(
        tmp_path, capsys, monkeypatch):
    # run_from_argv closes the database connections when it ends; the test still needs them.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nname: [\n")
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["borough", "load_framework", str(bad)])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "line 3: not valid YAML" in captured.err
    assert captured.out == ""

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["borough", "load_framework", "no-such-thing"])
    assert exited.value.code == 1
    assert "no shipped framework of that name (shipped: nesds-ict)" in capsys.readouterr().err
    assert not m.Framework.objects.exists()
