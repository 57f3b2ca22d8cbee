"""Discovery runs: asking for one (a person's Run now, or the periodic job), doing it,
and recording what it did. A run reads the whole directory first and writes nothing until
that has worked, so a directory that is down, or refuses the account, gives a failed run
with the reason and no change to the CMDB."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from borough.cmdb.discovery import directory, reconcile
from borough.cmdb.discovery import validation as v
from borough.cmdb.discovery.directory import Connection, DirectoryError
from borough.cmdb.models import (
    ConfigurationItem,
    DirectorySource,
    DiscoveryRun,
    RunOutcome,
    Trigger,
)
from borough.core import services

log = logging.getLogger(__name__)

# A run still queued or running after this long was lost (a worker died): the next
# request marks it failed rather than waiting for it for ever.
ABANDONED_AFTER = timedelta(hours=6)
ACTIVE = (RunOutcome.QUEUED, RunOutcome.RUNNING)


def request_run(source: DirectorySource, *, actor, trigger: str = Trigger.ON_DEMAND,
                queue: bool = True) -> DiscoveryRun:
    """Record a run of `source`, waiting to start, and (with `queue`) hand it to a worker
    once committed: a background task, or at once without a broker. Refused while another
    run of the source is waiting or running. `actor` None: Borough's own schedule."""
    services.require(actor, "change", DirectorySource, source.organisation_id)
    now = timezone.now()
    with transaction.atomic():
        locked = DirectorySource.objects.select_for_update().get(pk=source.pk)
        if not locked.is_enabled:
            raise ValidationError(f"{locked} is not enabled: tick Enabled on its page first.")
        for active in locked.runs.filter(outcome__in=ACTIVE):
            if active.created_at > now - ABANDONED_AFTER:
                raise ValidationError(
                    f"{locked} is already being read (a run {active.get_outcome_display().lower()} "
                    f"since {timezone.localtime(active.created_at):%H:%M}): wait for it to "
                    "finish.")
            _finish(active, RunOutcome.FAILED,
                    error="Abandoned: it did not finish within six hours (a worker stopped?).")
        run = services.create_record(DiscoveryRun(
            organisation_id=locked.organisation_id, source=locked, trigger=trigger,
            requested_by=actor if getattr(actor, "pk", None) else None), actor=None)
        if queue:
            from borough.cmdb.tasks import run_discovery

            transaction.on_commit(lambda: run_discovery.delay(run.pk))
    return run


def execute(run_id: int) -> DiscoveryRun:
    """Do a waiting run (the task's body; a run that has started already is left alone, so
    a task delivered twice runs once)."""
    with transaction.atomic():
        run = DiscoveryRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.outcome != RunOutcome.QUEUED:
            return run
        run = services.update_record(run, actor=None, expected_version=None, data={
            "outcome": RunOutcome.RUNNING, "started_at": timezone.now()})
    source = DirectorySource.objects.select_related(
        "organisation", "server_class", "device_class").get(pk=run.source_id)
    try:
        reading = directory.read_computers(
            connection_for(source), base_dn=source.base_dn, search_filter=source.search_filter,
            attributes=source.attribute_names(), page_size=source.page_size)
        _check_plausible(source, reading)
    except DirectoryError as exc:
        return _finish(run, RunOutcome.FAILED, error=str(exc))
    try:
        counts = reconcile.reconcile(source, reading.computers, now=run.started_at,
                                     note=f"Directory discovery from {source}.")
    except DatabaseError as exc:
        log.exception("Discovery run %s stopped part way", run.pk)
        return _finish(run, RunOutcome.FAILED, pages=reading.pages, error=(
            f"The run stopped part way, at a database error ({exc}). What it wrote before "
            "then is kept; the next run carries on from there."))
    except Exception:
        # A fault of Borough's own: the run must not stay "running" until abandoned.
        _finish(run, RunOutcome.FAILED, pages=reading.pages, error=(
            "The run stopped part way at an unexpected error, recorded in Borough's log. "
            "What it wrote before then is kept."))
        raise
    return _finish(run, RunOutcome.SUCCEEDED, pages=reading.pages, seen=counts.seen,
                   created=counts.created, changed=counts.changed,
                   unchanged=counts.unchanged, skipped=counts.skipped + len(reading.ignored),
                   vanished=counts.vanished, returned=counts.returned,
                   warnings=(reading.ignored + counts.warnings)[:reconcile.MAX_WARNINGS])


def _finish(run: DiscoveryRun, outcome: str, **data) -> DiscoveryRun:
    return services.update_record(run, actor=None, expected_version=None, data={
        "outcome": outcome, "finished_at": timezone.now(), **data})


def _check_plausible(source: DirectorySource, reading: directory.Reading) -> None:
    """An empty answer where there were computers before is far likelier a wrong base,
    filter or permission than every computer gone: refuse it rather than flag them all."""
    if reading.computers:
        return
    present = ConfigurationItem.objects.filter(
        discovery_source=source, missing_from_directory_since__isnull=True).count()
    if present:
        raise DirectoryError(
            f"The directory gave no computers under {source.base_dn} for "
            f"{source.search_filter}, though {present} items came from it before; nothing "
            "was flagged. Check the search base, the filter and the account's access.")


def connection_for(source: DirectorySource) -> Connection:
    """How to reach the source's directory, its password from the environment."""
    if source.uses_sign_in_directory:
        uri = getattr(settings, "AUTH_LDAP_SERVER_URI", "")
        if not uri:
            raise DirectoryError(
                "This source uses the directory sign-in uses, but sign-in has none: set "
                "LDAP_SERVER_URI (docs/configuring.md), or give the source a server.")
        owner = getattr(settings, "LDAP_ORGANISATION", "")
        if owner and owner != source.organisation.code:
            raise DirectoryError(
                "The directory sign-in uses belongs to another organisation: give this "
                "source a server and an account of its own.")
        return Connection(uri, getattr(settings, "AUTH_LDAP_BIND_DN", ""),
                          getattr(settings, "AUTH_LDAP_BIND_PASSWORD", ""),
                          getattr(settings, "AUTH_LDAP_START_TLS", False),
                          password_from="LDAP_BIND_PASSWORD")  # noqa: S106 - a name
    password = ""
    name = source.password_env
    if name:
        # Checked again here: a stored name must never send another setting anywhere.
        if problem := v.password_env_problem(name, source.organisation.code):
            raise DirectoryError(problem)
        if name not in os.environ:
            raise DirectoryError(
                f"The environment variable {name} (the directory password) is not set where "
                "Borough's background jobs run.")
        password = os.environ[name]
    elif source.bind_dn:
        raise DirectoryError(f"The account {source.bind_dn} needs a password: name the "
                             "environment variable that holds it.")
    return Connection(source.server_uri, source.bind_dn, password, source.start_tls,
                      password_from=name)


def run_due_sources() -> str:
    """The periodic job: run each enabled source whose interval has passed since its last
    run, here in the worker, one after another."""
    now = timezone.now()
    done = []
    sources = DirectorySource.objects.filter(is_enabled=True, run_every_hours__gt=0)
    for source in sources.select_related("organisation"):
        last = source.runs.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and last > now - timedelta(hours=source.run_every_hours):
            continue
        try:
            run = request_run(source, actor=None, trigger=Trigger.SCHEDULE, queue=False)
        except ValidationError:
            continue  # one is already running
        run = execute(run.pk)
        done.append(f"{source.organisation.code}/{source}: {run.get_outcome_display().lower()}")
    return "; ".join(done) or "no source was due"
