"""Issue 16 item 7.6: `borough serve` collects static files only when they changed (it
took 53 s on two cores at every start). call_command and the hand-over to gunicorn are
replaced, so the slow real collectstatic never runs here."""

from __future__ import annotations

import io
import os
from unittest import mock

import pytest
from django.core.management import call_command

from borough.core.management.commands import serve


@pytest.fixture
def starting(settings, tmp_path):
    """start() runs `borough serve` in production mode and returns what it collected and
    printed; a source folder of our own stands for the static sources."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "site.css").write_text("body { color: black; }")
    settings.PRODUCTION = True
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATIC_ROOT.mkdir()
    settings.STATICFILES_DIRS = [str(sources)]

    def start():
        with mock.patch.object(serve, "call_command") as inner, \
                mock.patch.object(serve.os, "execv") as execv:
            out = io.StringIO()
            call_command("serve", stdout=out)
        assert execv.called  # gunicorn would have taken over
        commands = [c.args[0] for c in inner.call_args_list]
        assert commands[0] == "check"  # the deploy checks run at every start
        return commands.count("collectstatic"), out.getvalue()

    start.sources = sources
    return start


def test_a_second_start_with_nothing_changed_skips_collectstatic(starting):
    assert starting() == (1, mock.ANY)
    collected, said = starting()
    assert collected == 0
    assert "Static files are up to date: collectstatic skipped." in said


def test_a_changed_source_file_is_collected_again(starting):
    starting()
    css = starting.sources / "site.css"
    css.write_text("body { color: teal; }")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    collected, said = starting()
    assert collected == 1
    assert "Static files changed since the last start: running collectstatic." in said
    assert starting()[0] == 0  # and then it is up to date again


def test_a_failed_collection_is_tried_again_at_the_next_start(starting, settings):
    with mock.patch.object(serve, "call_command", side_effect=[None, RuntimeError("disk")]), \
            mock.patch.object(serve.os, "execv"), pytest.raises(RuntimeError):
        call_command("serve", stdout=io.StringIO())
    assert not (settings.STATIC_ROOT / serve.STAMP_NAME).exists()
    assert starting()[0] == 1


def test_another_storage_is_collected_again(starting, settings):
    starting()
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    assert starting()[0] == 1
