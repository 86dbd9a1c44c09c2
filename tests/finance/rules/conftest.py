import copy

import pytest

from tests.finance.rules.ledger import clean_book

_BASE = None


@pytest.fixture
def base():
    """A clean generated ledger of 1,200 rows (a fresh copy per test)."""
    global _BASE
    if _BASE is None:
        _BASE = clean_book(1200, seed=11)
    return copy.deepcopy(_BASE)
