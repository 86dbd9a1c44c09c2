"""Page lists that cost the same on page 1 of 1,000 rows and deep into 1,000,000: no ``COUNT(*)``.

``paginate_keyset(request, queryset)`` reads ``per_page + 1`` rows, never counts, and links
"previous" and "next" by an opaque cursor of the boundary row's sort values (``?after=`` /
``?before=``): ``WHERE (date, id) < (cursor)`` walks an index to any depth at the cost of the
first page, like the API's ``KeysetPagination``. It needs an order of non-null columns of the
model itself (the primary key is added as the tie-breaker); an order it cannot seek on (a
nullable column, a relation) falls back to numbered pages read as ``per_page + 1`` rows at an
``OFFSET``, still without a count. The page object answers what ``includes/pagination.html``
asks (``object_list``, ``has_next``, ``has_previous``, ``keyset``, ``next_query``, ...).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from django.http import QueryDict

PER_PAGE = 50


@dataclass
class CursorPage:
    """One page of a list, without the number of pages."""

    #: What ``includes/pagination.html`` tells from a Django ``Page`` by.
    cursor_page = True
    object_list: list
    has_next: bool
    has_previous: bool
    keyset: bool = True
    number: int = 1
    #: The query strings of the neighbouring pages (the request's other parameters kept).
    next_query: str = ""
    previous_query: str = ""
    first_query: str = ""
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)


def _order_terms(queryset) -> list[str]:
    order = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    return [term for term in order if isinstance(term, str)] if order else []


def _seekable(queryset, terms: list[str]) -> list[tuple[str, bool]] | None:
    """``[(field name, descending)]`` ending with the primary key, or None when not seekable."""
    model = queryset.model
    pk = model._meta.pk.name
    out: list[tuple[str, bool]] = []
    for term in terms:
        desc = term.startswith("-")
        name = term.lstrip("-+")
        if name in ("pk", pk):
            out.append((pk, desc))
            return out
        if "__" in name or "?" in name:
            return None
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if model_field.is_relation or model_field.null or not model_field.concrete:
            return None
        out.append((name, desc))
    out.append((pk, out[-1][1] if out else True))
    return out


def _encode(values: list) -> str:
    def plain(value):
        if isinstance(value, dt.date | dt.time | dt.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    raw = json.dumps([plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        return None
    return values


def _beyond(keys: list[tuple[str, bool]], values: list, *, forward: bool) -> Q:
    """Rows after (``forward``) or before the cursor in the order ``keys``: a row-value comparison."""
    condition = Q()
    for i, (name, desc) in enumerate(keys):
        smaller = desc == forward  # forward on a descending key, or back on an ascending one
        step = Q(**{f"{name}__{'lt' if smaller else 'gt'}": values[i]})
        for j, (prev_name, _desc) in enumerate(keys[:i]):
            step &= Q(**{prev_name: values[j]})
        condition |= step
    if len(keys) > 1:
        # The same rows, with the first key's bound alone as well: PostgreSQL cannot start an index
        # scan from the OR above, and without it walks (and filters) every row before the cursor.
        name, desc = keys[0]
        condition &= Q(**{f"{name}__{'lte' if desc == forward else 'gte'}": values[0]})
    return condition


def _query(request, **params) -> str:
    query: QueryDict = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


def paginate_keyset(request, queryset, per_page: int = PER_PAGE) -> CursorPage:
    """The page of ``queryset`` the request asks for, read as ``per_page + 1`` rows, never counted."""
    keys = _seekable(queryset, _order_terms(queryset))
    if keys is None:
        return _paginate_offset(request, queryset, per_page)
    order = [f"-{name}" if desc else name for name, desc in keys]
    names = [f"keyset_{i}" for i in range(len(keys))]
    qs = queryset.order_by(*order).annotate(
        **{alias: F(name) for alias, (name, _) in zip(names, keys, strict=True)}
    )
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    cursor = _decode(before or after, len(keys)) if (before or after) else None
    rows: list
    try:
        if cursor is not None and before:
            reverse = [name if desc else f"-{name}" for name, desc in keys]
            rows = list(qs.filter(_beyond(keys, cursor, forward=False)).order_by(*reverse)[: per_page + 1])
            has_previous = len(rows) > per_page
            rows = rows[:per_page][::-1]
            has_next = True
        elif cursor is not None:
            rows = list(qs.filter(_beyond(keys, cursor, forward=True))[: per_page + 1])
            has_next, has_previous = len(rows) > per_page, True
            rows = rows[:per_page]
        else:
            raise ValueError
    except (ValueError, TypeError, ValidationError):
        rows = list(qs[: per_page + 1])
        has_next, has_previous = len(rows) > per_page, False
        rows = rows[:per_page]
    if not rows and has_previous:
        # Past the end (rows deleted since, or a hand-made cursor): show the first page instead.
        rows = list(qs[: per_page + 1])
        has_next, has_previous = len(rows) > per_page, False
        rows = rows[:per_page]
    page = CursorPage(object_list=rows, has_next=has_next, has_previous=has_previous)
    if rows:
        page.next_query = _query(request, after=_encode([getattr(rows[-1], n) for n in names]))
        page.previous_query = _query(request, before=_encode([getattr(rows[0], n) for n in names]))
    page.first_query = _query(request)
    return page


def _paginate_offset(request, queryset, per_page: int) -> CursorPage:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    order = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    pk = queryset.model._meta.pk.name
    if not order or order[-1] not in ("pk", "-pk", pk, f"-{pk}"):
        # Rows that tie on the order (two people hired the same day) keep one place across the
        # OFFSET pages: the primary key breaks the tie, so none shows twice or never.
        queryset = queryset.order_by(*order, "pk")
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if not rows and number > 1:
        number, rows = 1, list(queryset[: per_page + 1])
    page = CursorPage(
        object_list=rows[:per_page], has_next=len(rows) > per_page, has_previous=number > 1, keyset=False
    )
    page.number = number
    page.next_query = _query(request, page=str(number + 1))
    page.previous_query = _query(request, page=str(number - 1))
    page.first_query = _query(request)
    return page
