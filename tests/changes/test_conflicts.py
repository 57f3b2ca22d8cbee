"""Conflicts on the forward schedule, checked against an independent check written here:
every pair compared minute by minute in plain terms (overlap, same item, dependency by a
walk of the edges), blackout and freeze windows, and maintenance hours walked a minute at
a time in local time, across the clock changes."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borough.changes import schedule as rules
from borough.changes.queries import _merged
from borough.core.business_time import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
# Around the spring clock change (29 March 2026, 01:00 UTC) and the autumn one
# (25 October 2026, 01:00 UTC).
SPRING = datetime.datetime(2026, 3, 28, 18, 0, tzinfo=UTC)
AUTUMN = datetime.datetime(2026, 10, 24, 18, 0, tzinfo=UTC)


# --- the independent check --------------------------------------------------------------

def depends(a: int, b: int, edges: set[tuple[int, int]]) -> bool:
    """Whether item a depends on b, by walking the edges one at a time."""
    seen, todo = set(), [a]
    while todo:
        here = todo.pop()
        for source, target in edges:
            if source == here and target not in seen:
                if target == b:
                    return True
                seen.add(target)
                todo.append(target)
    return False


def expected_pairs(changes, edges) -> set[tuple[int, int, str]]:
    found = set()
    for a in changes:
        for b in changes:
            if a.id >= b.id or not (a.start < b.end and b.start < a.end):
                continue
            if a.items & b.items:
                found.add((a.id, b.id, rules.SAME_ITEM))
            elif any(x != y and (depends(x, y, edges) or depends(y, x, edges))
                     for x in a.items for y in b.items):
                found.add((a.id, b.id, rules.DEPENDENT_ITEM))
    return found


def inside_hours(start, end, hours: dict[int, list[tuple[int, int]]]) -> bool:
    """Every minute of [start, end) falls in one of the local periods (minutes of the day,
    end exclusive) of some day around it, each period turned into real time as the
    council's clock reads it: a time the spring change skips is read with the offset
    before it (PEP 495, fold=0, as core.business_time documents)."""
    def at(day, minutes):
        if minutes >= 24 * 60:
            day, minutes = day + datetime.timedelta(days=1), 0
        return datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60),
                                         tzinfo=LONDON).astimezone(UTC)

    first = start.astimezone(LONDON).date() - datetime.timedelta(days=1)
    spans = []
    for n in range((end - start).days + 3):
        day = first + datetime.timedelta(days=n)
        spans += [(at(day, lo), at(day, hi)) for lo, hi in hours.get(day.weekday(), [])]
    moment = start
    while moment < end:
        if not any(lo <= moment < hi for lo, hi in spans):
            return False
        moment += datetime.timedelta(minutes=1)
    return True


# --- strategies ---------------------------------------------------------------------------

def planned(ids, base):
    return st.builds(
        lambda pk, offset, length, items, emergency: rules.Planned(
            pk, base + datetime.timedelta(minutes=15 * offset),
            base + datetime.timedelta(minutes=15 * (offset + length)), frozenset(items),
            frozenset({1}) if pk % 2 else frozenset(), emergency),
        st.just(ids), st.integers(0, 40), st.integers(1, 12),
        st.sets(st.integers(1, 8), max_size=3), st.booleans())


@st.composite
def schedules(draw):
    base = draw(st.sampled_from([SPRING, AUTUMN]))
    count = draw(st.integers(0, 9))
    changes = [draw(planned(i + 1, base)) for i in range(count)]
    edges = draw(st.sets(st.tuples(st.integers(1, 8), st.integers(1, 8)), max_size=10))
    return changes, {e for e in edges if e[0] != e[1]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_change_conflicts_match_the_pairwise_check(schedule):
    changes, edges = schedule
    among = set().union(*(c.items for c in changes)) if changes else set()
    found = rules.change_conflicts(changes, rules.reachable(edges, among))
    got = {(c.change, c.other, c.kind) for c in found if c.change < c.other}
    assert got == expected_pairs(changes, edges)
    for c in found:  # the direction said is the direction of the edges
        if c.kind == rules.DEPENDENT_ITEM:
            assert depends(c.item, c.other_item, edges) if c.depends else depends(
                c.other_item, c.item, edges)
    # Reported both ways, once each way.
    assert len(found) == 2 * len(got)


@settings(max_examples=200, deadline=None)
@given(schedules(), st.integers(0, 40), st.integers(1, 40), st.sampled_from(
    [rules.BLACKOUT, rules.FREEZE]), st.booleans())
def test_window_conflicts_match_the_plain_rules(schedule, offset, length, kind, every_service):
    changes, _ = schedule
    base = changes[0].start if changes else SPRING
    window = rules.Window(7, kind, base + datetime.timedelta(minutes=15 * offset),
                          base + datetime.timedelta(minutes=15 * (offset + length)),
                          frozenset() if every_service else frozenset({1}))
    got = {c.change for c in rules.window_conflicts(changes, [window])}
    want = {c.id for c in changes
            if c.start < window.end and window.start < c.end
            and (every_service or 1 in c.services)
            and not (kind == rules.FREEZE and c.emergency)}
    assert got == want


HOURS = st.dictionaries(st.integers(0, 6), st.lists(st.tuples(
    st.integers(0, 95), st.integers(1, 96)).map(lambda t: (min(t) * 15, max(t) * 15 + 15)
                                               if t[0] != t[1] else (t[0] * 15, t[0] * 15 + 15)),
    min_size=1, max_size=3), max_size=7)


def calendar_of(hours):
    def clock(minutes):
        return datetime.time(0) if minutes >= 24 * 60 else datetime.time(minutes // 60,
                                                                           minutes % 60)
    spans = {day: _merged([(clock(lo), clock(hi)) for lo, hi in periods])
             for day, periods in hours.items()}
    return BusinessCalendar(LONDON, spans)


@settings(max_examples=150, deadline=None)
@given(HOURS, st.sampled_from([SPRING, AUTUMN]), st.integers(0, 60), st.integers(1, 24))
def test_maintenance_hours_match_a_minute_by_minute_walk_across_clock_changes(
        hours, base, offset, length):
    start = base + datetime.timedelta(minutes=30 * offset)
    end = start + datetime.timedelta(minutes=30 * length)
    change = rules.Planned(1, start, end, services=frozenset({5}))
    got = bool(rules.maintenance_conflicts([change], {5: calendar_of(hours)}))
    clipped = {day: [(lo, min(hi, 24 * 60)) for lo, hi in periods]
               for day, periods in hours.items()}
    assert got == (not inside_hours(start, end, clipped))


def test_a_change_across_the_autumn_clock_change_is_inside_a_night_window():
    # Saturday 22:00 to Sunday 02:00 local on 24-25 October 2026: five hours of real
    # time (01:00-02:00 happens twice), inside windows Saturday 20:00-24:00, Sunday 00-06.
    start = datetime.datetime(2026, 10, 24, 22, 0, tzinfo=LONDON)
    end = datetime.datetime(2026, 10, 25, 2, 0, tzinfo=LONDON)
    assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(hours=5)
    cal = BusinessCalendar(LONDON, {5: [(datetime.time(20), datetime.time(0))],
                                    6: [(datetime.time(0), datetime.time(6))]})
    change = rules.Planned(1, start.astimezone(UTC), end.astimezone(UTC),
                           services=frozenset({5}))
    assert rules.maintenance_conflicts([change], {5: cal}) == []
    later = rules.Planned(2, start.astimezone(UTC), (end + datetime.timedelta(hours=5)
                                                     ).astimezone(UTC), services=frozenset({5}))
    assert [c.kind for c in rules.maintenance_conflicts([later], {5: cal})] == ["maintenance"]


def test_changes_that_meet_end_to_start_do_not_overlap_and_dependency_goes_both_ways():
    one = rules.Planned(1, SPRING, SPRING + datetime.timedelta(hours=1), frozenset({1}))
    two = rules.Planned(2, SPRING + datetime.timedelta(hours=1),
                        SPRING + datetime.timedelta(hours=2), frozenset({1}))
    assert rules.change_conflicts([one, two], {}) == []
    # 3 runs on 4 which runs on 5: a change to 5 meets a change to 3, either way round.
    three = rules.Planned(3, SPRING, SPRING + datetime.timedelta(hours=1), frozenset({3}))
    five = rules.Planned(5, SPRING, SPRING + datetime.timedelta(hours=1), frozenset({5}))
    reach = rules.reachable({(3, 4), (4, 5)}, {3, 5})
    for order in ([three, five], [five, three]):
        found = rules.change_conflicts(order, reach)
        assert {(c.change, c.other, c.kind, c.item, c.other_item, c.depends)
                for c in found} == {(3, 5, rules.DEPENDENT_ITEM, 3, 5, True),
                                    (5, 3, rules.DEPENDENT_ITEM, 5, 3, False)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), st.randoms(use_true_random=False))
def test_change_conflicts_do_not_depend_on_the_order_changes_come_in(schedule, rng):
    changes, edges = schedule
    among = set().union(*(c.items for c in changes)) if changes else set()
    reach = rules.reachable(edges, among)
    found = rules.change_conflicts(changes, reach)
    shuffled = list(changes)
    rng.shuffle(shuffled)
    assert rules.change_conflicts(shuffled, reach) == found
    for c in found:  # the lowest shared item is the one named
        if c.kind == rules.SAME_ITEM:
            one = next(x for x in changes if x.id == c.change)
            two = next(x for x in changes if x.id == c.other)
            assert c.item == c.other_item == min(one.items & two.items)
