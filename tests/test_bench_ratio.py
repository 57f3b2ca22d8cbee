"""The benchmark's 1M/10k ratio says when the two runs came from different machines."""

import json

from bench import run


def _result(size: str, boot_id: str, p95: float) -> dict:
    return {"database": "postgresql", "size": size, "machine": {"boot_id": boot_id},
            "endpoints": {"statistics": {"c1": {"p95_ms": p95}}}, "targets": []}


def _ratio_target(result: dict) -> dict:
    return next(t for t in result["targets"] if t["endpoint"] == "statistics")


def test_ratio_from_the_same_machine_is_comparable(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    (tmp_path / "servicedesk-postgres-10k.json").write_text(json.dumps(_result("10k", "a", 80)))
    result = _result("1m", "a", 100)
    run.compare_to_10k(result)
    target = _ratio_target(result)
    assert (target["value"], target["met"]) == (1.25, True)
    assert "comparable" not in target


def test_ratio_against_another_machine_is_marked(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    (tmp_path / "servicedesk-postgres-10k.json").write_text(json.dumps(_result("10k", "a", 80)))
    result = _result("1m", "b", 100)
    run.compare_to_10k(result)
    assert _ratio_target(result)["comparable"] is False
    assert "another machine" in "\n".join(run.target_lines(result))
