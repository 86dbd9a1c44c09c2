"""Automatic matching of bank statement lines to the books, vectorised with pandas.

Money is integer cents (``int64``) in every frame here, never float. A statement line of
−930.00 (money out) looks for an expenditure of 930.00; a line of +150,000.00 (money in) looks
for a disbursement of 150,000.00. The steps:

1. merge lines and book entries on the amount in cents;
2. keep pairs dated at most ``MATCH_WINDOW_DAYS`` apart;
3. score the counterparty against the payee (expenditures) or the funder (disbursements), both
   normalised as docs/rules.md says (trimmed, inner white space removed, case folded, full width
   folded): equal → 1, one contained in the other → 0.9, else ``difflib`` ratio; pairs below
   ``MIN_SIMILARITY`` are dropped (a line without a counterparty cannot disagree, score 0);
4. rank pairs: exact (same date and equal counterparty) first, then fewer days apart, then the
   higher similarity;
5. resolve globally, in rounds: a pair is taken when it is the single best pair of its line AND
   of its book entry; taken lines and entries leave the pool and the next round runs on the rest.
   When no pair can be taken, the lines still holding candidates are *ambiguous* (two or more
   equally good candidates, or two lines equally good for one entry) and left for a person.

Each line and each book entry is matched at most once, and the outcome does not depend on the
order of the rows.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.timestamps import as_timestamps
from finance.rules.base import normalise_text

#: Most days a bank may book a payment before or after the ledger date.
MATCH_WINDOW_DAYS = 5
#: Least counterparty similarity (0–1) for an automatic match.
MIN_SIMILARITY = 0.6
#: Score of a counterparty contained in the payee or vice versa (e.g. "赣州文具店" in "赣州市赣州文具店").
CONTAINED_SCORE = 0.9

LINE_COLUMNS = ("line_id", "date", "cents", "counterparty")
BOOK_COLUMNS = ("kind", "book_id", "date", "cents", "name")


def similarity(a: str, b: str) -> float:
    """How alike two normalised names are: 1 equal, 0.9 contained, else the difflib ratio."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a in b or b in a:
        return CONTAINED_SCORE
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class MatchOutcome:
    """Pairs taken (line id → (kind, book id, days apart, similarity)) and ambiguous lines."""

    matches: dict[int, tuple[str, int, int, float]] = field(default_factory=dict)
    #: line id → the equally good candidates, as ``[{"kind": "expenditure", "id": 7}, ...]``.
    ambiguous: dict[int, list[dict]] = field(default_factory=dict)


def _normalised(series: pd.Series) -> pd.Series:
    if series.empty:
        return series.astype(object)
    codes, uniques = pd.factorize(series.fillna("").astype(str), sort=False)
    folded = np.array([normalise_text(u) for u in uniques], dtype=object)
    return pd.Series(folded[codes], index=series.index, dtype=object)


def candidate_pairs(
    lines: pd.DataFrame, book: pd.DataFrame, window_days: int = MATCH_WINDOW_DAYS
) -> pd.DataFrame:
    """Every admissible (line, book entry) pair with its rank ``key`` (lower is better).

    ``lines``: line_id, date, cents (signed as on the statement), counterparty.
    ``book``: kind ("expenditure"/"disbursement"), book_id, date, cents (as the bank would show
    it: expenditures negated), name (payee or funder).
    """
    if lines.empty or book.empty:
        return pd.DataFrame(columns=["line_id", "kind", "book_id", "days", "sim", "key"])
    left = lines.loc[:, ["line_id", "date", "cents", "counterparty"]].copy()
    right = book.loc[:, ["kind", "book_id", "date", "cents", "name"]].copy()
    left["date"] = as_timestamps(left["date"])
    right["date"] = as_timestamps(right["date"])
    left["cents"] = left["cents"].astype("int64")
    right["cents"] = right["cents"].astype("int64")
    pairs = left.merge(right, on="cents", suffixes=("_line", "_book"))
    if pairs.empty:
        return pd.DataFrame(columns=["line_id", "kind", "book_id", "days", "sim", "key"])
    days = (pairs["date_line"] - pairs["date_book"]).dt.days.abs()
    pairs = pairs.loc[days <= window_days].copy()
    pairs["days"] = days.loc[pairs.index].astype("int64")
    if pairs.empty:
        return pd.DataFrame(columns=["line_id", "kind", "book_id", "days", "sim", "key"])
    pairs["cp"] = _normalised(pairs["counterparty"])
    pairs["nm"] = _normalised(pairs["name"])
    # One difflib call per distinct (counterparty, payee) couple, not per pair.
    couples = pairs[["cp", "nm"]].drop_duplicates()
    couples["sim"] = [similarity(a, b) for a, b in zip(couples["cp"], couples["nm"], strict=True)]
    pairs = pairs.merge(couples, on=["cp", "nm"], how="left")
    blank = pairs["cp"] == ""
    pairs = pairs.loc[blank | (pairs["sim"] >= MIN_SIMILARITY)].copy()
    exact = (pairs["days"] == 0) & (pairs["sim"] == 1.0)
    # One integer rank: tier (exact first), then days apart, then similarity (higher first).
    pairs["key"] = (
        np.where(exact, 0, 1).astype("int64") * 10**8
        + pairs["days"].astype("int64") * 10**5
        + (99_999 - (pairs["sim"] * 99_999).round().astype("int64"))
    )
    return pairs.loc[:, ["line_id", "kind", "book_id", "days", "sim", "key"]].reset_index(drop=True)


def resolve(pairs: pd.DataFrame) -> MatchOutcome:
    """Take mutually unique best pairs round by round; what is left with candidates is ambiguous."""
    outcome = MatchOutcome()
    if pairs.empty:
        return outcome
    pool = pairs.copy()
    pool["book"] = pool["kind"].astype(str) + ":" + pool["book_id"].astype(str)
    while not pool.empty:
        line_best = pool.groupby("line_id")["key"].transform("min")
        book_best = pool.groupby("book")["key"].transform("min")
        best_for_line = pool["key"] == line_best
        best_for_book = pool["key"] == book_best
        line_ties = best_for_line.groupby(pool["line_id"]).transform("sum")
        book_ties = best_for_book.groupby(pool["book"]).transform("sum")
        take = best_for_line & best_for_book & (line_ties == 1) & (book_ties == 1)
        if not take.any():
            break
        taken = pool.loc[take]
        for row in taken.itertuples(index=False):
            outcome.matches[int(row.line_id)] = (
                str(row.kind),
                int(row.book_id),
                int(row.days),
                float(row.sim),
            )
        pool = pool.loc[~pool["line_id"].isin(taken["line_id"]) & ~pool["book"].isin(taken["book"])]
    if not pool.empty:
        best = pool.loc[pool["key"] == pool.groupby("line_id")["key"].transform("min")]
        for line_id, group in best.groupby("line_id"):
            outcome.ambiguous[int(line_id)] = [
                {"kind": str(kind), "id": int(book_id)}
                for kind, book_id in sorted(zip(group["kind"], group["book_id"], strict=True))
            ]
    return outcome


def match_frames(
    lines: pd.DataFrame, book: pd.DataFrame, window_days: int = MATCH_WINDOW_DAYS
) -> MatchOutcome:
    """Match statement ``lines`` to ``book`` entries (see the module docstring)."""
    return resolve(candidate_pairs(lines, book, window_days))
