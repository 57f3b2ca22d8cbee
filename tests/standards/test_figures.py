from borough.core.evidence import EvidenceResult
from borough.standards.figures import figure_rows


def test_figures_read_as_words_from_a_result_or_its_snapshot():
    result = EvidenceResult(met=False, summary="s", figures={
        "period_from": "2026-08-24", "priorities": [1, 2], "compliance_percent": 87.25,
        "tickets": 12345, "all_priorities": True})
    expected = [("Period from", "2026-08-24"), ("Priorities", "1, 2"),
                ("Compliance percent", "87.2"), ("Tickets", "12,345"), ("All priorities", "yes")]
    assert figure_rows(result) == expected
    assert figure_rows(result.as_dict()) == expected
    assert figure_rows(None) == []
