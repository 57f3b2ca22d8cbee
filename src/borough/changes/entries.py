"""What change management adds to the registry: changes and what they are read against
(risk questions, standard change templates, boards and their seats, meetings, blackout
and freeze windows, maintenance windows, incidents caused); who may read, raise, assess
and decide; the record actions; the forward schedule and figures pages; votes by email;
the planned-work announcements; the evidence rules."""

from __future__ import annotations

from borough.changes import (
    announcements,
    api,
    approval_mail,
    evidence,
    filters,
    forms,
    notices,
    panels,
    services,
    tables,
)
from borough.changes import models as m
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.problems.models import Problem

SECTION = "Changes"

# Who raises changes and links the incidents they caused: the desk and ICT management.
RAISE = [roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.ICT_MANAGER,
         roles.ADMINISTRATOR]
# Who assesses, schedules and closes changes, and keeps the boards, windows and questions.
MANAGE = [roles.CHANGE_MANAGER, roles.ICT_MANAGER, roles.ADMINISTRATOR]


def register(registry) -> None:
    registry.add_notification_events("changes", notices.EVENTS)
    registry.nav_section_order[SECTION] = 15
    registry.register(ModelEntry(
        m.Change, filters.ChangeFilterSet, tables.ChangeTable, forms.ChangeForm,
        api.ChangeRequestSerializer, api.ChangeViewSet, search_fields=("reference", "title"),
        nav_section=SECTION, nav_order=10, comments=True, attachments=True,
        detail_fields=("reference", "title", "change_type", "template", "status", "origin",
                       "description", "reason", "requester", "owner", "impact_level",
                       "impact", "risk_level", "implementation_plan", "test_plan",
                       "backout_plan", "planned_start", "planned_end", "board",
                       "authorised_at", "authorised_by", "decision_note", "actual_start",
                       "actual_end", "outcome", "outcome_note", "review", "reviewed_at")))
    registry.register(ModelEntry(
        m.Meeting, filters.MeetingFilterSet, tables.MeetingTable, forms.MeetingForm,
        api.MeetingSerializer, api.MeetingViewSet, search_fields=("location",),
        nav_section=SECTION, nav_order=30,
        detail_fields=("board", "starts_at", "location", "status", "minutes")))
    registry.register(ModelEntry(
        m.ChangeTemplate, filters.ChangeTemplateFilterSet, tables.ChangeTemplateTable,
        forms.ChangeTemplateForm, api.ChangeTemplateSerializer, api.ChangeTemplateViewSet,
        search_fields=("name",), nav_section=SECTION, nav_order=40,
        detail_fields=("name", "description", "implementation_plan", "test_plan",
                       "backout_plan", "risk_level", "usual_minutes", "approved_by",
                       "approved_on", "is_active", "announce")))
    registry.register(ModelEntry(
        m.Board, filters.BoardFilterSet, tables.BoardTable, forms.BoardForm,
        api.BoardSerializer, api.BoardViewSet, search_fields=("name",), nav_section=SECTION,
        nav_order=50, detail_fields=("name", "kind", "chair", "chair_deputy", "quorum")))
    registry.register(ModelEntry(
        m.BoardMember, filters.BoardMemberFilterSet, tables.BoardMemberTable,
        forms.BoardMemberForm, api.BoardMemberSerializer, api.BoardMemberViewSet,
        search_fields=("member__full_name", "represents"), nav_section=SECTION, nav_order=55,
        detail_fields=("board", "member", "deputy", "represents", "is_active")))
    registry.register(ModelEntry(
        m.ScheduleWindow, filters.ScheduleWindowFilterSet, tables.ScheduleWindowTable,
        forms.ScheduleWindowForm, api.ScheduleWindowSerializer, api.ScheduleWindowViewSet,
        search_fields=("name",), nav_section=SECTION, nav_order=60,
        detail_fields=("name", "kind", "starts_at", "ends_at", "services", "reason")))
    registry.register(ModelEntry(
        m.MaintenanceWindow, filters.MaintenanceWindowFilterSet, tables.MaintenanceWindowTable,
        forms.MaintenanceWindowForm, api.MaintenanceWindowSerializer,
        api.MaintenanceWindowViewSet, search_fields=("service__name",), nav_section=SECTION,
        nav_order=65, detail_fields=("service", "weekday", "starts", "ends")))
    registry.register(ModelEntry(
        m.RiskQuestion, filters.RiskQuestionFilterSet, tables.RiskQuestionTable,
        forms.RiskQuestionForm, api.RiskQuestionSerializer, api.RiskQuestionViewSet,
        search_fields=("question",), nav_section=SECTION, nav_order=70,
        detail_fields=("question", "help_text", "raises_to", "position", "is_active")))
    registry.register(ModelEntry(
        m.CausedIncident, filters.CausedIncidentFilterSet, tables.CausedIncidentTable,
        forms.CausedIncidentForm, api.CausedIncidentSerializer, api.CausedIncidentViewSet,
        search_fields=("note",), nav_section=SECTION, nav_order=80,
        detail_fields=("change", "ticket", "note")))
    registry.unlist(m.AgendaItem, "A meeting's agenda, generated and shown on its page and "
                                  "in its API record.")
    registry.unlist(m.CabVote, "Votes are cast through a change's vote action (page, API or "
                               "email) and shown on its page and in its API record.")
    registry.unlist(m.ScheduleFeed, "A person's secret schedule calendar addresses, made and "
                                    "stopped on the schedule's calendar page.")
    registry.nav_links.append(NavLink(SECTION, "Forward schedule", "changes:schedule",
                                      m.Change, order=20))
    registry.nav_links.append(NavLink(SECTION, "Figures", "changes:figures", m.Change,
                                      order=90))
    registry.api_routes.append(("changes/schedule", api.ScheduleViewSet, "changes-schedule"))

    everything = [m.Change, m.RiskQuestion, m.ChangeTemplate, m.Board, m.BoardMember,
                  m.Meeting, m.CausedIncident, m.ScheduleWindow, m.MaintenanceWindow]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(RAISE, [m.Change], ("add", "change"))
    registry.grant_models(RAISE, [m.CausedIncident], ("add", "change", "delete"))
    for role in MANAGE:
        registry.grant(role, [m.MANAGE])
    registry.grant_models(MANAGE, [m.RiskQuestion, m.ChangeTemplate, m.Board, m.BoardMember,
                                   m.Meeting, m.ScheduleWindow, m.MaintenanceWindow],
                          ("add", "change", "delete"))
    # Changes are cancelled, not deleted; an administrator may remove one raised by mistake.
    registry.grant_models([roles.ADMINISTRATOR], [m.Change], ("delete",))
    registry.add_actions(services.CHANGE_ACTIONS)
    registry.add_actions(services.MEETING_ACTIONS)
    registry.add_inbound_handler(approval_mail.HANDLER)
    # Scheduled changes become planned-work announcements (status sits below: it cannot
    # listen itself).
    announcements.connect()
    # A problem's page shows the changes that make its permanent fix (problems sits below).
    registry.add_detail_panel(Problem, DetailPanel(
        "changes", "changes/includes/problem_panel.html", panels.problem_panel, order=20))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
