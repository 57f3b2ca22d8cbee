"""What core adds to the registry: its periodic jobs, the shared records' role grants
(comments, files, notifications, history) and the models it keeps without pages."""

from __future__ import annotations

from borough.core import background, home, importing, roles, scheduling
from borough.core import models as m
from borough.core.api.imports import BackgroundTaskViewSet, ImportViewSet
from borough.core.jobs import prune_job_runs
from borough.core.registry import NavLink
from borough.core.tasks import clear_expired_sessions
from borough.core.views.jobs import JobStatusViewSet
from borough.core.views.saved_views import ListColumnsViewSet, SavedViewViewSet


def register(registry) -> None:
    registry.periodic_jobs["clear-expired-sessions"] = (clear_expired_sessions, 3600)
    registry.periodic_jobs["prune-job-runs"] = (prune_job_runs, 24 * 3600)
    registry.periodic_jobs["core-run-scheduled-actions"] = (scheduling.run_due, 60)
    registry.periodic_jobs["core-run-waiting-tasks"] = (background.run_late, 60)
    registry.periodic_jobs["core-expire-imports"] = (importing.expire_uploads, 3600)
    registry.background_tasks[importing.CHECK_TASK] = importing.check_task
    registry.background_tasks[importing.IMPORT_TASK] = importing.import_task
    registry.stalled_checks["background-tasks"] = background.stalled

    registry.api_routes.append(("core/jobs", JobStatusViewSet, "core-jobs"))
    for panel in home.PANELS:
        registry.add_home_panel(panel)
    # Staff read how records move; the page lists only the lifecycles of models they see.
    registry.nav_links.append(NavLink("Administration", "Lifecycles", "core:lifecycles",
                                      m.AuditEvent, order=95))

    registry.unlist(m.AuditEvent, "Each record's History tab shows its events.")
    registry.unlist(m.ReferenceCounter, "Bookkeeping of reference numbers.")
    registry.unlist(m.Comment, "Shown and added on the record they are about.")
    registry.unlist(m.Attachment, "Shown, added and downloaded on the record they are about.")
    registry.unlist(m.SubmissionKey, "Bookkeeping of idempotent submissions.")
    registry.unlist(m.ReminderSent, "Bookkeeping of reminders sent (core.reminders).")
    registry.unlist(m.Notification, "Each user's own, on the notifications page.")
    registry.unlist(m.ApprovalVote, "Shown on the record voted on; counted by its lifecycle.")
    registry.unlist(m.ScheduledAction, "Shown on the record it will act on.")
    registry.unlist(m.JobRun, "Installation-wide: the jobs page for platform administrators.")
    registry.unlist(m.SavedView, "Tabs on the list they belong to (core.saved_views).")
    registry.unlist(m.ListPreference, "Each person's columns, chosen on the list itself.")
    registry.unlist(m.BackgroundTask, "Each person's own, on the page of the work it does "
                                      "and at /api/core/tasks/.")
    registry.unlist(m.ImportUpload, "Each person's own, on its import page and at "
                                    "/api/core/imports/.")
    registry.api_routes.append(("core/saved-views", SavedViewViewSet, "core-savedview"))
    registry.api_routes.append(("core/list-columns", ListColumnsViewSet, "core-listcolumns"))
    registry.api_routes.append(("core/imports", ImportViewSet, "core-import"))
    registry.api_routes.append(("core/tasks", BackgroundTaskViewSet, "core-task"))

    # Shared records: everyone may read and add comments and files on what they can see.
    for role in roles.ALL_ROLES:
        registry.grant(role, [])  # every role exists as a group, even before it has grants
        registry.grant_models(role, [m.Comment, m.Attachment], ("view",))
        registry.grant_models(role, [m.Notification], ("view", "change"))
        if role != roles.AUDITOR:
            registry.grant_models(role, [m.Comment, m.Attachment], ("add",))
    # Saved views and columns are how each member of staff reads lists, not council
    # records: the Auditor keeps them too (services allow only one's own, or a team's
    # where one leads it).
    registry.grant_models(roles.STAFF_ROLES, [m.SavedView, m.ListPreference],
                          ("view", "add", "change", "delete"))
    registry.grant(roles.ICT_MANAGER, ["core.share_any_team_savedview"])
    registry.grant(roles.ADMINISTRATOR, ["core.share_any_team_savedview"])
    registry.grant_models(roles.READ_ALL_ROLES, [m.AuditEvent, m.ApprovalVote, m.ScheduledAction],
                          ("view",))
    # Each person reads only their own tasks and uploads (object rules); who may import
    # what is the imported model's add permission (core.importing).
    registry.grant_models(roles.ALL_ROLES, [m.BackgroundTask, m.ImportUpload], ("view",))
    for role in roles.READ_ALL_ROLES:
        registry.grant(role, ["core.view_internal_comment"])
    # Scheduling an action needs the action's own permission (core.scheduling checks it);
    # these let the row be written and cancelled by whoever may act at all.
    registry.grant_models([r for r in roles.STAFF_ROLES if r != roles.AUDITOR],
                          [m.ScheduledAction], ("add", "change"))
