"""Borough's speed devices, in one place: each is described, with the figure that
justifies it and how it is invalidated, in docs/architecture.md ("Speed devices").

- `precompiled`: queries every request makes, compiled to SQL once per process;
- `cache`: the one per-process cache (a small LRU) the apps keep their copies in;
- `stamps`: the per-organisation version stamp that keys copies of its configuration;
- `validation`: model validation without the queries the database makes anyway;
- `pgtypes`: PostgreSQL's timestamps parsed in C (Django's loader parses them in Python);
- `collector`: the garbage collector settled once a worker has started (and before a
  benchmark measures), so that full collections do not walk the imported code.
"""
