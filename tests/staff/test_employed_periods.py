"""staff.selectors.employed_periods: spells joined into periods worked without a day's break."""

import datetime as dt

from staff.selectors import employed_periods

D = dt.date


def test_back_to_back_spells_join_and_a_gap_of_a_day_does_not():
    spells = [
        (7, D(2025, 5, 16), D(2025, 8, 31)),  # given out of order
        (7, D(2024, 1, 1), D(2025, 5, 15)),
        (7, D(2025, 9, 2), None),  # a day's gap (1 September) before the open spell
        (8, D(2023, 3, 1), None),
    ]
    assert employed_periods(spells) == {
        7: [(D(2024, 1, 1), D(2025, 8, 31)), (D(2025, 9, 2), None)],
        8: [(D(2023, 3, 1), None)],
    }


def test_an_open_spell_keeps_the_period_open_and_overlaps_take_the_later_end():
    spells = [
        (1, D(2024, 1, 1), None),
        (1, D(2024, 6, 1), D(2024, 12, 31)),
        (2, D(2024, 1, 1), D(2024, 9, 30)),
    ]
    spells.append((2, D(2024, 3, 1), D(2024, 6, 30)))
    assert employed_periods(spells) == {1: [(D(2024, 1, 1), None)], 2: [(D(2024, 1, 1), D(2024, 9, 30))]}
    assert employed_periods([]) == {}
