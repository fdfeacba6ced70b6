"""Timeline order, as properties over generated events (the bundled dates all differ, so
they cannot show what happens to events of one date)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from hetao_cli import query
from hetao_cli.model import Citation, Event, FactBook, Kind, PartialDate

DATES = st.builds(
    lambda y, m, d: PartialDate(y, m, d if m else None),
    st.integers(2015, 2018),
    st.none() | st.integers(1, 12),
    st.none() | st.integers(1, 28),
)


def book_of(dates: list[PartialDate]) -> FactBook:
    cite = (Citation("s", "q"),)
    events = [Event(f"e{i}", d, f"event {i}", cite) for i, d in enumerate(dates)]
    return FactBook.of({Kind.EVENT: events}, {e.id: e for e in events}, {}, {})


@given(st.lists(DATES, max_size=12))
def test_reverse_is_the_exact_reverse(dates: list[PartialDate]) -> None:
    book = book_of(dates)
    forward = [e.id for e in query.timeline(book)]
    backward = [e.id for e in query.timeline(book, reverse=True)]
    assert backward == forward[::-1]


@given(st.lists(DATES, max_size=12))
def test_timeline_is_in_date_order_and_keeps_file_order_within_a_date(
    dates: list[PartialDate],
) -> None:
    events = query.timeline(book_of(dates))
    assert sorted(e.id for e in events) == sorted(f"e{i}" for i in range(len(dates)))
    keys = [e.date.sort_key for e in events]
    assert keys == sorted(keys)
    for a, b in itertools.pairwise(events):
        if a.date.sort_key == b.date.sort_key:
            assert int(a.id[1:]) < int(b.id[1:]), "events of one date stay in file order"


@given(st.lists(DATES, max_size=12), DATES, DATES)
def test_bounds_keep_a_subset_whose_spans_meet_the_range(
    dates: list[PartialDate], since: PartialDate, until: PartialDate
) -> None:
    book = book_of(dates)
    kept = query.timeline(book, since, until)
    assert {e.id for e in kept} <= {e.id for e in book.events}
    for e in book.events:
        meets = e.date.end >= since.start and e.date.start <= until.end
        assert (e in kept) == meets
