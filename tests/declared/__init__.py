"""The registry-driven suite: every registered model's pages and API, as each of the ten
roles, checked against what its app granted (test_pages, test_api), and the query counts
of its reading pages and API calls pinned in tests/query_baseline.json
(test_query_counts). A registered model is covered with no code here; what a model needs
beyond its entry, grants and factory is declared in cases.py."""
