"""The email task: one queued email sent by the worker (inline without a broker)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_email(pk: int) -> str:
    """Failures are handled in outbound.send (retried later by the periodic send with a
    growing delay), so this task never raises for a mail server's refusal."""
    from borough.mail import outbound

    return outbound.send(pk)
