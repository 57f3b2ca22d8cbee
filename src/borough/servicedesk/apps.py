from django.apps import AppConfig


class ServiceDeskConfig(AppConfig):
    name = "borough.servicedesk"
    label = "servicedesk"
    verbose_name = "Service desk"

    def ready(self):
        from borough.accounts import roles
        from borough.core.registry import ModelEntry, grant_model_permissions, registry
        from borough.servicedesk import api, filters, forms, services, tables
        from borough.servicedesk import models as m

        section = "Service desk"
        registry.register(ModelEntry(
            m.Ticket, filters.TicketFilterSet, tables.TicketTable, forms.TicketForm,
            api.TicketSerializer, api.TicketViewSet, search_fields=("reference", "title"),
            nav_section=section, nav_order=10, comments=False, attachments=True,
        ))
        config = [
            (m.Category, filters.CategoryFilterSet, tables.CategoryTable, forms.CategoryForm,
             api.CategorySerializer, api.CategoryViewSet, ("name", "ticket_type", "parent", "is_active")),
            (m.PriorityRule, filters.PriorityRuleFilterSet, tables.PriorityRuleTable,
             forms.PriorityRuleForm, api.PriorityRuleSerializer, api.PriorityRuleViewSet,
             ("impact", "urgency", "priority")),
            (m.SLAPolicy, filters.SLAPolicyFilterSet, tables.SLAPolicyTable, forms.SLAPolicyForm,
             api.SLAPolicySerializer, api.SLAPolicyViewSet,
             ("name", "priority", "ticket_type", "response_minutes", "resolution_minutes",
              "business_hours", "is_active")),
            (m.CannedResponse, filters.CannedResponseFilterSet, tables.CannedResponseTable,
             forms.CannedResponseForm, api.CannedResponseSerializer, api.CannedResponseViewSet,
             ("title", "body", "is_active")),
            (m.DeskSettings, filters.DeskSettingsFilterSet, tables.DeskSettingsTable,
             forms.DeskSettingsForm, api.DeskSettingsSerializer, api.DeskSettingsViewSet,
             ("reopen_days", "auto_close_days", "warning_percent")),
        ]
        for order, (model, fs, table, form, ser, vs, fields) in enumerate(config, start=1):
            registry.register(ModelEntry(model, fs, table, form, ser, vs,
                                         search_fields=(fields[0],) if model is m.Category else (),
                                         nav_section="Desk settings", nav_order=order * 10,
                                         detail_fields=fields))

        config_models = [m.Category, m.PriorityRule, m.SLAPolicy, m.CannedResponse, m.DeskSettings]
        workers = [roles.AGENT, roles.TEAM_LEAD, roles.ICT_MANAGER, roles.ADMINISTRATOR]
        readers = roles.READ_ALL_ROLES
        for role in readers:
            grant_model_permissions(role, [m.Ticket, m.TimelineEntry, m.TicketLink, m.Satisfaction,
                                           *config_models], ("view",))
            registry.grant(role, ["servicedesk.view_all_tickets"])
        for role in workers:
            grant_model_permissions(role, [m.Ticket], ("add", "change"))
            grant_model_permissions(role, [m.TicketLink], ("add",))
            grant_model_permissions(role, [m.CannedResponse], ("add", "change"))
            registry.grant(role, ["servicedesk.work_tickets"])
        for role in (roles.ICT_MANAGER, roles.ADMINISTRATOR):
            grant_model_permissions(role, config_models, ("add", "change", "delete"))
        grant_model_permissions(roles.REQUESTER, [m.Ticket], ("view", "add"))
        # Requesters need no desk settings: the portal asks in plain words instead.
        grant_model_permissions(roles.REQUESTER, [m.TimelineEntry, m.Satisfaction], ("view",))

        from borough.servicedesk import daily, evidence, statistics_api

        registry.api_routes.append(("servicedesk/statistics", statistics_api.StatisticsViewSet,
                                    "servicedesk-statistics"))

        evidence.register(registry)
        registry.periodic_jobs["servicedesk-sla-sweep"] = (services.sweep_sla, 60)
        registry.periodic_jobs["servicedesk-auto-close"] = (services.auto_close_resolved, 3600)
        registry.periodic_jobs["servicedesk-daily-totals"] = (daily.audit, 24 * 3600)
