"""What the assessments part adds to the registry: assessment cycles as a registered
model (list, export, history and the cross-organisation suites come with it), and the
API routes of ratings, criterion answers and evidence, which are reached through
their cycle rather than listed on their own pages."""

from borough.core.registry import ModelEntry


def register(registry) -> None:
    from borough.standards import models as m
    from borough.standards.assessments import api, filters, forms, tables

    registry.register(ModelEntry(
        m.AssessmentCycle, filters.AssessmentCycleFilterSet, tables.AssessmentCycleTable,
        forms.CycleForm, api.AssessmentCycleSerializer, api.AssessmentCycleViewSet,
        search_fields=("name",), nav_section="Standards", nav_order=10,
        detail_fields=("framework", "name", "starts_on", "ends_on", "status", "summary"),
    ))
    registry.api_routes.extend([
        ("standards/ratings", api.RatingViewSet, "standards-rating"),
        ("standards/criterion-results", api.CriterionResultViewSet, "standards-criterionresult"),
        ("standards/evidence", api.EvidenceViewSet, "standards-evidence"),
    ])
