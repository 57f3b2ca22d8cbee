"""Every factory, from each app's tests/<app>/factories.py, and `FACTORIES`: each
organisation-owned model -> its factory (called with `organisation=`). The suites that
walk the registry (tests/declared/, tests/core/test_isolation.py) and `borough check`
find a registered model's factory here."""

from __future__ import annotations

from tests.accounts import factories as accounts
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.availability import factories as availability
from tests.availability.factories import OutageFactory
from tests.capacity import factories as capacity
from tests.capacity.factories import MetricFactory
from tests.catalogue import factories as catalogue
from tests.catalogue.factories import (
    BusinessServiceFactory,
    OperationalLevelAgreementFactory,
    ServiceComponentFactory,
    ServiceLevelAgreementFactory,
)
from tests.changes import factories as changes
from tests.changes.factories import (
    BoardFactory,
    BoardMemberFactory,
    CausedIncidentFactory,
    ChangeFactory,
    ChangeTemplateFactory,
    MaintenanceWindowFactory,
    MeetingFactory,
    RiskQuestionFactory,
    ScheduleWindowFactory,
)
from tests.cmdb import factories as cmdb
from tests.cmdb.factories import (
    CIClassFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
)
from tests.commercial import factories as commercial
from tests.commercial.factories import (
    ContractCoverFactory,
    ContractFactory,
    SupplierCategoryFactory,
    SupplierContactFactory,
    SupplierFactory,
)
from tests.continuity import factories as continuity
from tests.continuity.factories import (
    BusinessImpactAnalysisFactory,
    ContinuityPlanFactory,
    ContinuityTestFactory,
    FollowUpFactory,
    ImpactRowFactory,
    PlanContactFactory,
    PlanStepFactory,
    RecoveryItemFactory,
)
from tests.finance import factories as finance
from tests.finance.factories import (
    BudgetFactory,
    CommitmentFactory,
    CostCentreFactory,
    CostLineFactory,
    CostPoolFactory,
    PoolShareFactory,
)
from tests.knowledge import factories as knowledge
from tests.knowledge.factories import (
    ArticleFactory,
    ArticleFeedbackFactory,
    DeflectionFactory,
)
from tests.library import factories as library
from tests.library.factories import (
    DocumentFactory,
    DocumentLinkFactory,
    DocumentVersionFactory,
)
from tests.licences import factories as licences
from tests.licences.factories import (
    ApplicationFactory,
    ConsumptionCountFactory,
    EntitlementFactory,
    LicenceFactory,
)
from tests.mail import factories as mail
from tests.mail.factories import (
    InboundMessageFactory,
    MailboxFactory,
    NotificationTemplateFactory,
    OutboundEmailFactory,
)
from tests.organisation import factories as organisation
from tests.organisation.factories import (
    ClosureDayFactory,
    OrganisationFactory,
    OrgOwnedFactory,
    PersonFactory,
    ServiceUnitFactory,
    SiteFactory,
    TeamFactory,
    TeamMembershipFactory,
    WorkingPeriodFactory,
)
from tests.problems import factories as problems
from tests.problems.factories import (
    AnalysisStepFactory,
    CauseCategoryFactory,
    KnownErrorFactory,
    KnownErrorUseFactory,
    ProblemFactory,
    ProblemIncidentFactory,
    TrendRuleFactory,
)
from tests.procurement import factories as procurement
from tests.procurement.factories import (
    ApprovalStepFactory,
    ProcurementExceptionFactory,
    ProcurementOptionFactory,
    ProcurementRequestFactory,
)
from tests.releases import factories as releases
from tests.releases.factories import ReleaseFactory, ReleaseItemFactory
from tests.servicedesk import factories as servicedesk
from tests.servicedesk.factories import (
    CannedResponseFactory,
    CategoryFactory,
    DeskSettingsFactory,
    PriorityRuleFactory,
    SLAPolicyFactory,
    TicketFactory,
    set_ticket_times,
)
from tests.standards import factories as standards
from tests.standards.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AssessmentCycleFactory,
    CorporateObjectiveFactory,
    CriterionFactory,
    CriterionResultFactory,
    EvidenceFactory,
    FrameworkFactory,
    ReportReviewFactory,
    StandardAssessmentFactory,
    StandardFactory,
    TargetFactory,
    ThemeFactory,
)
from tests.status import factories as status
from tests.status.factories import AnnouncementFactory, SubscriptionFactory

FACTORIES = {**organisation.FACTORIES, **accounts.FACTORIES, **servicedesk.FACTORIES,
             **standards.FACTORIES, **mail.FACTORIES, **cmdb.FACTORIES,
             **catalogue.FACTORIES, **library.FACTORIES, **commercial.FACTORIES,
             **licences.FACTORIES, **finance.FACTORIES, **procurement.FACTORIES,
             **status.FACTORIES, **changes.FACTORIES, **knowledge.FACTORIES,
             **problems.FACTORIES, **releases.FACTORIES, **capacity.FACTORIES,
             **availability.FACTORIES, **continuity.FACTORIES}

__all__ = [
    "MetricFactory",
    "ReleaseFactory", "ReleaseItemFactory", "OutageFactory",
    "BusinessImpactAnalysisFactory", "ContinuityPlanFactory", "ContinuityTestFactory",
    "FollowUpFactory", "ImpactRowFactory", "PlanContactFactory", "PlanStepFactory",
    "RecoveryItemFactory",
    "FACTORIES", "ActionFactory", "AnnouncementFactory", "SubscriptionFactory", "BoardFactory",
    "BoardMemberFactory",
    "CausedIncidentFactory", "ChangeFactory", "ChangeTemplateFactory",
    "MaintenanceWindowFactory", "MeetingFactory", "RiskQuestionFactory",
    "ScheduleWindowFactory", "AnalysisStepFactory", "ArticleFactory",
    "ArticleFeedbackFactory", "CauseCategoryFactory", "DeflectionFactory", "KnownErrorFactory",
    "KnownErrorUseFactory", "ProblemFactory", "ProblemIncidentFactory", "TrendRuleFactory",
    "ApplicationFactory", "ConsumptionCountFactory",
    "EntitlementFactory", "LicenceFactory", "BudgetFactory", "CommitmentFactory",
    "CostCentreFactory", "CostLineFactory", "CostPoolFactory", "PoolShareFactory",
    "ApprovalStepFactory", "ProcurementExceptionFactory", "ProcurementOptionFactory",
    "ProcurementRequestFactory", "ContractCoverFactory", "ContractFactory",
    "SupplierCategoryFactory", "SupplierContactFactory", "SupplierFactory",
    "BusinessServiceFactory", "OperationalLevelAgreementFactory",
    "ServiceComponentFactory", "ServiceLevelAgreementFactory", "ActionUpdateFactory",
    "AssessmentCycleFactory", "CIClassFactory",
    "ConfigurationItemFactory", "RelationshipFactory",
    "DocumentFactory", "DocumentLinkFactory", "DocumentVersionFactory",
    "CannedResponseFactory", "CategoryFactory", "ClosureDayFactory",
    "CorporateObjectiveFactory", "CriterionFactory", "CriterionResultFactory",
    "DeskSettingsFactory", "EvidenceFactory", "FrameworkFactory", "InboundMessageFactory",
    "MailboxFactory", "MembershipFactory", "NotificationTemplateFactory", "OrgOwnedFactory",
    "OrganisationFactory", "OutboundEmailFactory", "PersonFactory", "PriorityRuleFactory",
    "ReportReviewFactory", "SLAPolicyFactory", "ServiceUnitFactory", "SiteFactory",
    "StandardAssessmentFactory", "StandardFactory", "TargetFactory", "TeamFactory",
    "TeamMembershipFactory", "ThemeFactory", "TicketFactory", "UserFactory",
    "WorkingPeriodFactory",
    "set_ticket_times",
]
