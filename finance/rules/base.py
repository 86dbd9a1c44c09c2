"""What every irregular-fund-use rule shares: the ledger frame, the context, findings, declarations.

A rule is a pure function ``(frame, policy, context) -> list[Finding]``, declared with its code,
severity, policy keys and demo example as a ``Rule`` in its own module (``finance.rules.registry``
finds it). It never touches the
database: ``finance.flags.services`` loads the data once per scan and hands every rule the same
frame, so a rule can be tested with a DataFrame built by hand.

Money in the frames is **integer cents** (``int64``): whole-column sums and comparisons are exact
and fast. Values are converted back to ``Decimal`` strings only at the edges (messages, evidence).
Dates are ``datetime64[ns]``; ``day`` is the same date as a day number, for window arithmetic.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from core.timestamps import as_timestamps

Severity = str  # "critical" | "warning" | "info"
SEVERITIES = ("critical", "warning", "info")

#: Columns of a contract's expenditure frame (one row per non-void expenditure).
FRAME_COLUMNS = (
    "id",  # ledger order: ties in date are broken by it
    "contract",  # contract code
    "date",
    "amount",  # signed, integer cents
    "line",  # budget-line code
    "category",  # budget-line category
    "payee",
    "description",
    "invoice_no",
    "payment_method",
    "voucher_no",
    "staff_id",  # nullable
    "posted_on",  # nullable
)

EPOCH = np.datetime64("1970-01-01", "D")


# --- which expenditure -------------------------------------------------------------------


def voucher_params(voucher_no: str, amount: int, payee: str) -> dict:
    """The ``voucher`` a message names: the expenditure's voucher number, or, for one without
    (files.md lets a ledger leave it out), ``""`` with the amount and payee that, with the
    message's date, tell the finance officer which expenditure it is. No other number stands
    in for it: an invented one (the database id) is found nowhere in the books. The words are
    chosen when the message is shown (``finance.models.flags.flag_message``), in its language."""
    if voucher_no:
        return {"voucher": voucher_no}
    return {"voucher": "", "unnumbered": {"amount": money_text(amount), "payee": payee}}


def voucher_entry(voucher_no: str, date: str, amount: int) -> str | dict:
    """One expenditure in a message's list of ``vouchers`` (all of one payee): its number, or
    its date and amount when it has none (worded when shown, as ``voucher_params``)."""
    return voucher_no or {"date": date, "amount": money_text(amount)}


# --- money -------------------------------------------------------------------------------


def to_cents(value: Decimal | int | str | None) -> int | None:
    """A money value as integer cents (half-up at the third place; None stays None)."""
    if value is None or value == "":
        return None
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money_str(cents: int) -> str:
    """Integer cents as the JSON money string of the spec: ``186000`` → ``"1860.00"``."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def money_text(cents: int) -> str:
    """Integer cents for people: ``186000`` → ``"1,860.00"``."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def cents_floor(value) -> int:
    """A policy money value in cents, for "amount > value" on whole cents."""
    return math.floor(Decimal(str(value)) * 100)


def number_text(value: Decimal | int | float) -> str:
    """A policy number without noise: ``Decimal("10")`` → ``"10"``, ``Decimal("2.50")`` → ``"2.5"``."""
    dec = Decimal(str(value))
    text = f"{dec.normalize():f}"
    return text


# --- normalisation -----------------------------------------------------------------------


def normalise_text(value: Any) -> str:
    """Payee/invoice comparison form: full-width folded (NFKC), white space removed, case folded."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    if text.isascii():  # NFKC leaves ASCII unchanged and casefold is lower: the common fast path
        return "".join(text.split()).lower()
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).casefold()


def fold_text(value: Any) -> str:
    """Full-width and case folded, white space kept (for keyword search in free text)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).casefold()


#: Joins the distinct values of a column for one pass of ``_fold_many``: it is not white space,
#: NFKC leaves it alone and no character's NFKC form contains it.
_JOIN = "\x00"
_WHITE_SPACE = re.compile(r"\s+")  # the characters str.split() splits on, no more, no fewer


def _fold_many(values: list, *, strip_space: bool) -> list[str] | None:
    """``fold_text`` (or, with ``strip_space``, ``normalise_text``) of each of ``values`` in a few
    C passes over their join instead of a call per value: NFKC and case folding work character
    by character, and white space is removed between the joins. None when a value is not a
    string, or holds the joining character (the caller then folds value by value)."""
    if not all(type(value) is str for value in values):
        return None
    joined = _JOIN.join(values)
    text = joined.lower() if joined.isascii() else unicodedata.normalize("NFKC", joined).casefold()
    if strip_space:
        text = _WHITE_SPACE.sub("", text)
    pieces = text.split(_JOIN)
    return pieces if len(pieces) == len(values) else None


def _per_distinct(series: pd.Series, func: Callable[[Any], str], *, strip_space: bool) -> pd.Series:
    if series.empty:
        return series.astype(object)
    codes, uniques = pd.factorize(series.fillna(""), sort=False)
    values = uniques.tolist()
    folded = _fold_many(values, strip_space=strip_space) if len(values) > 1 else None
    if folded is None:
        folded = [func(value) for value in values]
    table = np.array([*folded, ""], dtype=object)
    return pd.Series(table[codes], index=series.index, dtype=object)


def normalise_column(series: pd.Series) -> pd.Series:
    """``normalise_text`` over a column, computed once per distinct value."""
    return _per_distinct(series, normalise_text, strip_space=True)


def fold_column(series: pd.Series) -> pd.Series:
    """``fold_text`` over a column, computed once per distinct value."""
    return _per_distinct(series, fold_text, strip_space=False)


def prepare_frame(frame: pd.DataFrame, *, copy: bool = True, typed: bool = False) -> pd.DataFrame:
    """Give a raw expenditure frame the derived columns every rule expects, in ledger order.

    Adds ``payee_norm``, ``invoice_norm`` and ``day``; sorts by date, then id (ledger order).
    ``copy=False`` lets a loader that owns ``frame`` save a copy of a large frame; ``typed``:
    its text columns are already strings, "" for none (``core.frames.read_frame`` gives them so),
    and are not checked again for missing values.
    """
    if frame.empty:
        frame = pd.DataFrame({c: [] for c in FRAME_COLUMNS})
    elif copy:
        frame = frame.copy()
    for column in FRAME_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["date"] = as_timestamps(frame["date"])
    frame["posted_on"] = as_timestamps(frame["posted_on"])
    frame["amount"] = frame["amount"].astype("int64")
    frame["id"] = frame["id"].astype("int64")
    frame["staff_id"] = frame["staff_id"].astype("Int64")
    if not typed:
        for column in (
            "payee",
            "description",
            "invoice_no",
            "payment_method",
            "voucher_no",
            "category",
            "line",
        ):
            frame[column] = frame[column].fillna("").astype(object)
    frame["payee_norm"] = normalise_column(frame["payee"])
    frame["invoice_norm"] = normalise_column(frame["invoice_no"])
    frame["day"] = (frame["date"].values.astype("datetime64[D]") - EPOCH).astype("int64")
    if not _in_ledger_order(frame):
        frame = frame.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    return frame


def _in_ledger_order(frame: pd.DataFrame) -> bool:
    """True when rows are already sorted by (date, id): saves a sort of a large frame."""
    if len(frame) < 2:
        return True
    day = np.diff(frame["day"].to_numpy())
    ids = np.diff(frame["id"].to_numpy())
    return bool(((day > 0) | ((day == 0) & (ids > 0))).all())


def day_number(day: dt.date) -> int:
    return int((np.datetime64(day, "D") - EPOCH).astype("int64"))


def iso(value) -> str:
    """A frame date (Timestamp) or date as ``YYYY-MM-DD``."""
    if value is None or value is pd.NaT:
        return ""
    return pd.Timestamp(value).date().isoformat()


# --- context and findings ------------------------------------------------------------------


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


@dataclass
class RuleContext:
    """What rules need besides the contract's own expenditures.

    ``lines``: code, name, category, approved (cents, original plus approved revisions).
    ``agency_invoices``: expenditures of the agency's *other* contracts that carry an invoice
    number (a prepared frame). ``rules_off``: contract code → the rule codes that contract does
    not run (its ``disabled_rules``), for the other contracts in ``agency_invoices`` that disable
    any: a rule that looks across contracts leaves out the rows of a contract that does not run
    it. ``spells``: staff_id, hire_date, exit_date (datetime64, NaT = still employed).
    ``assignments``: this contract's staff_id, start, end. ``staff``: staff_id, staff_no, name of
    every staff member of the agency.
    """

    contract: str
    start: dt.date
    end: dt.date
    total: int  # cents
    lines: pd.DataFrame = field(default_factory=lambda: _empty(["code", "name", "category", "approved"]))
    agency_invoices: pd.DataFrame | None = None
    rules_off: dict[str, frozenset[str]] = field(default_factory=dict)
    spells: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "hire_date", "exit_date"]))
    assignments: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "start", "end"]))
    staff: pd.DataFrame = field(default_factory=lambda: _empty(["staff_id", "staff_no", "name"]))
    country: str = "CN"
    calendar: dict[int, dict[dt.date, tuple[str, str]]] | None = None

    def __post_init__(self) -> None:
        if self.agency_invoices is None:
            self.agency_invoices = prepare_frame(_empty(FRAME_COLUMNS))

    def contracts_not_running(self, code: str) -> set[str]:
        """Codes of the other contracts that do not run the rule ``code`` (``rules_off``)."""
        return {contract for contract, rules in self.rules_off.items() if code in rules}


@dataclass
class Finding:
    """One thing a rule found. ``message`` is an untranslated msgid with ``%(name)s`` params,
    rendered in the reader's language at display time (``finance.rules.render_message``).

    ``subject`` identifies what the finding is about within the agency (with the rule code it
    is the flag's identity across re-scans); ``basis`` holds the numbers a contract-level
    finding rests on (expenditure-level findings rest on their expenditures).
    """

    rule: str
    subject: str
    message: str
    params: dict[str, Any]
    expenditure_ids: tuple[int, ...] = ()
    budget_line: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    basis: dict[str, Any] | None = None


RuleFunc = Callable[[pd.DataFrame, dict, RuleContext], list[Finding]]

SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
ABOUT = ("expenditure", "group", "line", "contract")

#: Kinds of policy value: ``decimal`` (money, percentages, factors), ``decimal_or_none`` (an
#: optional cap, unset by default), ``int`` (days, counts), ``keywords`` (a list of words),
#: ``action`` (one of the overspend actions), ``rules`` (rule code → the reason it is not run:
#: ``disabled_rules``, empty by default).
POLICY_KINDS = ("decimal", "decimal_or_none", "int", "keywords", "action", "rules")

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")


class RuleDeclarationError(Exception):
    """A rule module declares something the registry cannot accept (duplicate code, bad field)."""


@dataclass(frozen=True)
class PolicyKey:
    """One key of the contract policy (docs/rules.md, "The contract policy"): its kind and default.

    ``label`` names the key on the policy page. A default list is copied for every caller.
    """

    name: str
    kind: str
    default: Any
    label: Any = ""

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise RuleDeclarationError(
                f"policy key {self.name!r}: unknown kind {self.kind!r} (one of {', '.join(POLICY_KINDS)})"
            )
        if isinstance(self.default, list):
            object.__setattr__(self, "default", tuple(self.default))

    def fresh_default(self) -> Any:
        """The default, as a new list for ``keywords`` and a new dict for ``rules`` (callers may
        mutate it)."""
        if self.kind == "rules":
            return dict(self.default or {})
        return list(self.default) if isinstance(self.default, tuple) else self.default

    def same_as(self, other: PolicyKey) -> bool:
        """Two rules may share a key only when they agree on its kind and default."""
        return (self.kind, self.default) == (other.kind, other.default)


@dataclass(frozen=True)
class Rule:
    """One rule of docs/rules.md, declared by its own module of ``finance.rules``.

    ``position`` orders the rule among the rules of its severity: the registry lists rules by
    severity (critical first), then position, then code. ``policy`` lists the contract policy
    keys the rule reads. ``example`` returns the demo ledger rows that make the rule fire
    (``finance.rules.examples``); a rule that fires on another rule's example names that rule
    in ``example_from`` instead. ``example_order`` places the example in the demo planting
    (vouchers and invoice numbers are numbered in planting order, so the demo stays the same
    from run to run); a new rule keeps the default and is planted after the others.
    """

    code: str
    severity: Severity
    position: int
    about: str
    title: Any
    description: Any
    func: RuleFunc
    policy: tuple[PolicyKey, ...] = ()
    example: Callable[..., Any] | None = None
    example_from: str | None = None
    example_order: int = 1000

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code or ""):
            raise RuleDeclarationError(f"rule code {self.code!r} is not UPPER_SNAKE_CASE")
        problems = []
        if self.severity not in SEVERITIES:
            problems.append(f"unknown severity {self.severity!r} (one of {', '.join(SEVERITIES)})")
        if self.about not in ABOUT:
            problems.append(f"unknown about {self.about!r} (one of {', '.join(ABOUT)})")
        if isinstance(self.position, bool) or not isinstance(self.position, int) or self.position < 0:
            problems.append(f"position must be a whole number of zero or more, not {self.position!r}")
        if not callable(self.func):
            problems.append("func must be the rule function")
        if (self.example is None) == (self.example_from is None):
            problems.append("declare exactly one of example (a demo example) or example_from (a rule code)")
        if self.example_from == self.code:
            problems.append("example_from names the rule itself")
        if not all(isinstance(key, PolicyKey) for key in self.policy):
            problems.append("policy must be a tuple of PolicyKey")
        if problems:
            raise RuleDeclarationError(f"rule {self.code}: " + "; ".join(problems))
        object.__setattr__(self, "policy", tuple(self.policy))

    @property
    def order_key(self) -> tuple[int, int, str]:
        return (SEVERITY_RANK[self.severity], self.position, self.code)

    def __call__(self, frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
        return self.func(frame, policy, context)


def expenditure_findings(
    rows: pd.DataFrame,
    code: str,
    message: str,
    params: Callable[[Any], dict],
    evidence: Callable[[Any], dict],
) -> list[Finding]:
    """One finding per row of ``rows`` (a filtered frame), about that expenditure."""
    findings = []
    for row in rows.itertuples(index=False):
        findings.append(
            Finding(
                rule=code,
                subject=f"exp:{row.id}",
                message=message,
                params={**voucher_params(row.voucher_no, row.amount, row.payee), **params(row)},
                expenditure_ids=(int(row.id),),
                budget_line=row.line,
                evidence=evidence(row),
            )
        )
    return findings
