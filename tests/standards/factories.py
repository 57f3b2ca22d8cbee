"""Factories for the standards: shared framework definitions (no organisation),
assessments and the action plan."""

from __future__ import annotations

from datetime import date, timedelta

import factory

from borough.core import references
from borough.standards import models as st
from tests.organisation.factories import OrgOwnedFactory


class FrameworkFactory(factory.django.DjangoModelFactory):
    """A shared framework definition (no organisation); `organisation` is accepted and ignored."""

    class Meta:
        model = st.Framework
        exclude = ("organisation",)

    organisation = None
    code = factory.Sequence(lambda n: f"framework-{n}")
    version = 1
    name = factory.Sequence(lambda n: f"Framework {n}")
    document = "{}"
    sha256 = factory.Sequence(lambda n: f"{n:064d}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = st.Theme

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = st.Standard

    theme = factory.SubFactory(ThemeFactory)
    framework = factory.SelfAttribute("theme.framework")
    code = factory.Sequence(lambda n: f"standard-{n}")
    name = factory.Sequence(lambda n: f"Standard {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = st.Criterion

    standard = factory.SubFactory(StandardFactory)
    level = st.Level.MINIMUM
    code = factory.Sequence(lambda n: f"criterion-{n}")
    text = factory.Sequence(lambda n: f"Criterion statement {n}")


class AssessmentCycleFactory(OrgOwnedFactory):
    class Meta:
        model = st.AssessmentCycle

    framework = factory.SubFactory(FrameworkFactory)
    name = factory.Sequence(lambda n: f"Annual review {2000 + n}/{(n + 1) % 100:02d}")
    starts_on = date(2026, 4, 1)
    ends_on = date(2027, 3, 31)


class StandardAssessmentFactory(OrgOwnedFactory):
    class Meta:
        model = st.StandardAssessment

    cycle = factory.SubFactory(AssessmentCycleFactory,
                               organisation=factory.SelfAttribute("..organisation"))
    standard = factory.SubFactory(StandardFactory,
                                  theme__framework=factory.SelfAttribute("...cycle.framework"))


class CriterionResultFactory(OrgOwnedFactory):
    class Meta:
        model = st.CriterionResult

    rating = factory.SubFactory(StandardAssessmentFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    criterion = factory.SubFactory(CriterionFactory,
                                   standard=factory.SelfAttribute("..rating.standard"))


class EvidenceFactory(OrgOwnedFactory):
    class Meta:
        model = st.Evidence

    rating = factory.SubFactory(StandardAssessmentFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    title = factory.Sequence(lambda n: f"Evidence {n}")


class ReportReviewFactory(OrgOwnedFactory):
    class Meta:
        model = st.ReportReview

    report = "servicedesk-statistics"
    reviewed_on = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n % 300))
    meeting = factory.Sequence(lambda n: f"ICT management meeting {n}")


class CorporateObjectiveFactory(OrgOwnedFactory):
    class Meta:
        model = st.CorporateObjective

    code = factory.Sequence(lambda n: f"CP{n}")
    title = factory.Sequence(lambda n: f"Corporate objective {n}")


class TargetFactory(OrgOwnedFactory):
    class Meta:
        model = st.Target

    code = factory.Sequence(lambda n: f"T{n}")
    title = factory.Sequence(lambda n: f"Target {n}")


class ActionFactory(OrgOwnedFactory):
    """An action written directly (no audit history): use the services for behaviour tests."""

    class Meta:
        model = st.Action

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "ACT"))
    title = factory.Sequence(lambda n: f"Action to close gap {n}")
    due_on = date(2027, 3, 31)


class ActionUpdateFactory(OrgOwnedFactory):
    class Meta:
        model = st.ActionUpdate

    action = factory.SubFactory(ActionFactory, organisation=factory.SelfAttribute("..organisation"))
    note = factory.Sequence(lambda n: f"Progress note {n}")
    rag = st.RAG.GREEN
    status = st.ActionStatus.IN_PROGRESS


# Organisation-owned records only: the definitions take no organisation.
FACTORIES = {
    st.AssessmentCycle: AssessmentCycleFactory,
    st.StandardAssessment: StandardAssessmentFactory,
    st.CriterionResult: CriterionResultFactory,
    st.Evidence: EvidenceFactory,
    st.ReportReview: ReportReviewFactory,
    st.CorporateObjective: CorporateObjectiveFactory,
    st.Target: TargetFactory,
    st.Action: ActionFactory,
    st.ActionUpdate: ActionUpdateFactory,
}
