"""Value parsers: one cell in, one Python value out, or ``ValueProblem`` with a clear message.

Every parser can be used two ways::

    parse_money("¥1,234.50")                      # parse a value now
    Column("amount", parser=parse_money(nonzero=True))  # called with options only: a parser

Empty cells never reach a parser inside an import: the import machinery turns them into
"a value is required" or the column's default. Money is ``Decimal`` throughout, never float.
"""

from __future__ import annotations

import datetime
import enum
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from core.importing.errors import ValueProblem
from core.importing.errors import tr as _

Parser = Callable[[Any], Any]

_CENT = Decimal("0.01")
# DecimalField(max_digits=14, decimal_places=2) holds at most 12 digits before the point.
MAX_MONEY = Decimal("999999999999.99")
# An XLSX number computed by a formula (=0.1+0.2) carries binary noise far below a cent;
# within this distance of the nearest allowed value it is that value, not a finer one.
_FLOAT_NOISE = Decimal("0.000001")


#: The parsers of this module: functions of the cell (and their options) alone, so the same
#: cell always gives the same value or the same problem (``is_pure``).
_PURE: set[Callable[..., Any]] = set()


def _configurable(func: Callable[..., Any]) -> Callable[..., Any]:
    """Let ``parse_x(**options)`` (no value) return a parser bound to those options."""

    @functools.wraps(func)
    def wrapper(*args: Any, **options: Any) -> Any:
        if not args and "value" not in options:
            return functools.partial(func, **options)
        return func(*args, **options)

    _PURE.add(func)
    return wrapper


def is_pure(parser: Any) -> bool:
    """Whether ``parser`` is one of this module's parsers (or an ``EnumParser``): its answer
    depends on the cell alone (and the active language, for messages), so an import may parse
    each distinct text once. A parser of an app's own (which may look things up) is not."""
    if isinstance(parser, EnumParser):
        return True
    if isinstance(parser, functools.partial):
        return parser.func in _PURE and not parser.args
    return getattr(parser, "__wrapped__", None) in _PURE


def _show(value: Any) -> str:
    return str(value).strip()


def _normalise(value: str) -> str:
    # NFKC turns full-width digits, signs and ￥ (typed with a Chinese IME) into their ASCII
    # forms; surrounding spaces, including the ideographic space, go with strip().
    return unicodedata.normalize("NFKC", value).strip()


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required() -> ValueProblem:
    return ValueProblem(_("a value is required"))


# --- text ---------------------------------------------------------------------------------


@_configurable
def parse_text(value: Any, *, max_length: int | None = None) -> str:
    """Text, stripped of surrounding whitespace and otherwise kept verbatim.

    Numbers from XLSX cells come back as written (``1001``, not ``1001.0``); dates as ISO.
    """
    if type(value) is str:
        text = value.strip()
        if not text:
            raise _required()
    elif _is_empty(value):
        raise _required()
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        raise ValueProblem(
            _("is too long: %(length)s characters, at most %(limit)s allowed")
            % {"length": len(text), "limit": max_length}
        )
    return text


# --- dates --------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?$"
)
_CHINESE_DATE_RE = re.compile(r"^([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?$")


@_configurable
def parse_date(value: Any) -> datetime.date:
    """A date: ``2025-03-05``, ``2025/3/5``, ``2025.3.5``, ``2025年3月5日`` or an XLSX date cell.

    A time of day after the date (``2025-03-05 00:00:00``, as many exports write) is ignored.
    """
    if _is_empty(value):
        raise _required()
    if isinstance(value, datetime.datetime):
        return _plausible(value.date(), value)
    if isinstance(value, datetime.date):
        return _plausible(value, value)
    if isinstance(value, bool | int | float | Decimal):
        raise ValueProblem(
            _('"%(value)s" is a number, not a date; format the cell as a date or write it like 2025-03-05')
            % {"value": _show(value)}
        )
    text = _normalise(str(value))
    match = _DATE_RE.match(text)
    if match:
        year, month, day = match.group(1), match.group(3), match.group(4)
    else:
        match = _CHINESE_DATE_RE.match(text)
        if not match:
            raise ValueProblem(
                _('"%(value)s" is not a date; write it like 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日')
                % {"value": _show(value)}
            )
        year, month, day = match.groups()
    try:
        parsed = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueProblem(
            _('"%(value)s" is not a real date (no such day in the calendar)') % {"value": _show(value)}
        ) from None
    return _plausible(parsed, value)


#: The years a date in a file may fall in: anything else is a typo (3025 for 2025), which the
#: flag scans could not even place on their calendar.
DATE_YEARS = (1900, 2100)


def _plausible(date: datetime.date, value: Any) -> datetime.date:
    first, last = DATE_YEARS
    if not first <= date.year <= last:
        raise ValueProblem(
            _('"%(value)s" is not a plausible date: the year must be between %(first)s and %(last)s')
            % {"value": _show(value), "first": first, "last": last}
        )
    return date


# --- numbers ------------------------------------------------------------------------------

_GROUPED = r"[0-9]{1,3}(?:,[0-9]{3})+"
_NUMBER = rf"(?:{_GROUPED}|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_MONEY_RE = re.compile(
    rf"^(?P<sign1>[-+]?)\s*(?P<currency>¥|RMB)?\s*(?P<sign2>[-+]?)\s*(?P<number>{_NUMBER})$",
    re.IGNORECASE,
)
_DECIMAL_RE = re.compile(rf"^(?P<sign>[-+]?)\s*(?P<number>{_NUMBER})$")
# What nearly every exported cell looks like (ASCII, at most 12 digits before the point and 2
# after): read directly, with the same result as the full path below.
_PLAIN_MONEY_RE = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,2})?")


def _places_text(places: int) -> str:
    return ngettext("more than %(places)s decimal place", "more than %(places)s decimal places", places) % {
        "places": places
    }


def _from_cell_number(value: int | float | Decimal, places: int) -> Decimal:
    """An XLSX numeric cell as an exact Decimal (floats via their shortest repr, never arithmetic)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueProblem(_('"%(value)s" is not a number') % {"value": value})
        return value
    if isinstance(value, int):
        return Decimal(value)
    if not math.isfinite(value):
        raise ValueProblem(_('"%(value)s" is not a number') % {"value": value})
    number = Decimal(repr(value))
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum)
    if rounded != number and abs(rounded - number) < _FLOAT_NOISE:
        return rounded
    return number


def _check_places(number: Decimal, places: int, shown: str) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(quantum)
    except InvalidOperation:
        raise ValueProblem(_('"%(value)s" is too large') % {"value": shown}) from None
    if rounded != number:
        if places == 0:
            raise ValueProblem(_('"%(value)s" is not a whole number') % {"value": shown})
        raise ValueProblem(
            _('"%(value)s" has %(problem)s') % {"value": shown, "problem": _places_text(places)}
        )
    # No "-0.00": a zero is a zero.
    return rounded if rounded else abs(rounded)


def _check_range(
    number: Decimal, shown: str, minimum: Decimal | int | None, maximum: Decimal | int | None
) -> None:
    if minimum is not None and number < Decimal(minimum):
        raise ValueProblem(_('"%(value)s" is below the minimum %(min)s') % {"value": shown, "min": minimum})
    if maximum is not None and number > Decimal(maximum):
        raise ValueProblem(_('"%(value)s" is above the maximum %(max)s') % {"value": shown, "max": maximum})


@_configurable
def parse_money(value: Any, *, nonzero: bool = False, positive: bool = False) -> Decimal:
    """An amount of money as ``Decimal`` with 2 places.

    Accepts ``1234.5``, ``1,234.50``, ``¥12``, ``￥-3.10``, ``-¥12.00``, ``RMB 12`` and XLSX
    numeric cells; refuses more than 2 decimal places, letters, NaN and infinities.
    ``nonzero`` refuses 0; ``positive`` refuses 0 and negative amounts.
    """
    if type(value) is str and _PLAIN_MONEY_RE.fullmatch(value):
        amount = Decimal(value).quantize(_CENT)
        if not amount:
            amount = abs(amount)  # no "-0.00"
    else:
        amount = _parse_money_cell(value)
    if positive and amount <= 0:
        raise ValueProblem(_('"%(value)s" must be greater than zero') % {"value": _show(value)})
    if nonzero and amount == 0:
        raise ValueProblem(_("the amount must not be zero"))
    return amount


def _parse_money_cell(value: Any) -> Decimal:
    """``parse_money`` of any cell: every accepted spelling, checked to 2 places and the maximum."""
    if _is_empty(value):
        raise _required()
    if isinstance(value, bool | datetime.date):
        raise ValueProblem(_('"%(value)s" is not an amount of money') % {"value": _show(value)})
    shown = _show(value)
    if isinstance(value, int | float | Decimal):
        number = _from_cell_number(value, 2)
    else:
        text = _normalise(str(value))
        match = _MONEY_RE.match(text)
        if not match or (match["sign1"] and match["sign2"]):
            raise ValueProblem(
                _('"%(value)s" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50')
                % {"value": shown}
            )
        sign = match["sign1"] or match["sign2"]
        number = Decimal(match["number"].replace(",", ""))
        if sign == "-":
            number = -number
    amount = _check_places(number, 2, shown)
    if abs(amount) > MAX_MONEY:
        raise ValueProblem(_('"%(value)s" is too large') % {"value": shown})
    return amount


@_configurable
def parse_decimal(
    value: Any,
    *,
    places: int = 2,
    min: Decimal | int | None = None,
    max: Decimal | int | None = None,
    positive: bool = False,
) -> Decimal:
    """A decimal number with at most ``places`` decimals, within [``min``, ``max``] if given.

    ``positive`` refuses zero and negatives (for "greater than zero" rules).
    """
    if _is_empty(value):
        raise _required()
    if isinstance(value, bool | datetime.date):
        raise ValueProblem(_('"%(value)s" is not a number') % {"value": _show(value)})
    shown = _show(value)
    if isinstance(value, int | float | Decimal):
        number = _from_cell_number(value, places)
    else:
        match = _DECIMAL_RE.match(_normalise(str(value)))
        if not match:
            raise ValueProblem(_('"%(value)s" is not a number') % {"value": shown})
        number = Decimal(match["number"].replace(",", ""))
        if match["sign"] == "-":
            number = -number
    number = _check_places(number, places, shown)
    if positive and number <= 0:
        raise ValueProblem(_('"%(value)s" must be greater than zero') % {"value": shown})
    _check_range(number, shown, min, max)
    return number


@_configurable
def parse_int(
    value: Any,
    *,
    min: int | None = None,
    max: int | None = None,
) -> int:
    """A whole number (``12``, ``12.0`` from a spreadsheet, ``1,200``), within [min, max] if given."""
    if _is_empty(value):
        raise _required()
    if isinstance(value, bool | datetime.date):
        raise ValueProblem(_('"%(value)s" is not a whole number') % {"value": _show(value)})
    shown = _show(value)
    if isinstance(value, int | float | Decimal):
        number = _from_cell_number(value, 0)
    else:
        match = _DECIMAL_RE.match(_normalise(str(value)))
        if not match:
            raise ValueProblem(_('"%(value)s" is not a whole number') % {"value": shown})
        number = Decimal(match["number"].replace(",", ""))
        if match["sign"] == "-":
            number = -number
    number = _check_places(number, 0, shown)
    _check_range(number, shown, min, max)
    return int(number)


# --- booleans -----------------------------------------------------------------------------

_TRUE = frozenset({"yes", "true", "1", "y", "是"})
_FALSE = frozenset({"no", "false", "0", "n", "否"})


@_configurable
def parse_bool(value: Any) -> bool:
    """yes/no, true/false, 1/0, 是/否, Y/N (any case), or an XLSX boolean or 1/0 cell."""
    if _is_empty(value):
        raise _required()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return value == 1
    text = _normalise(str(value)).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(
        _('"%(value)s" is not yes or no; write yes/no, true/false, 1/0, 是/否 or Y/N')
        % {"value": _show(value)}
    )


# --- enumerations -------------------------------------------------------------------------


class EnumParser:
    """Parser for a fixed set of codes; built by ``enum_parser``.

    Accepts the code (any case), the Chinese alias, and the choice's label in any of the
    site's languages. Returns the code as a plain ``str``.
    """

    def __init__(
        self,
        choices: type[enum.Enum] | Mapping[str, Any] | Iterable[tuple[str, Any]],
        chinese_aliases: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(choices, type) and issubclass(choices, enum.Enum):
            pairs = list(getattr(choices, "choices", [(member.value, member.name) for member in choices]))
        elif isinstance(choices, Mapping):
            pairs = list(choices.items())
        else:
            pairs = list(choices)
        self.codes: list[str] = [str(code) for code, _label in pairs]
        self._labels: dict[str, Any] = {str(code): label for code, label in pairs}
        self.aliases: dict[str, str] = dict(chinese_aliases or {})
        unknown = sorted(set(self.aliases.values()) - set(self.codes))
        if unknown:
            raise ValueError(f"aliases point to unknown codes: {', '.join(unknown)}")
        self._lookup: dict[str, str] | None = None

    def _build_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        # Labels are lazy translations: learn every language's wording once, on first use.
        for language, _name in getattr(settings, "LANGUAGES", [("en", "English")]):
            with translation.override(language):
                for code, label in self._labels.items():
                    lookup.setdefault(_normalise(str(label)).casefold(), code)
        for alias, code in self.aliases.items():
            lookup[_normalise(alias).casefold()] = code
        for code in self.codes:
            lookup[code.casefold()] = code
        return lookup

    def choices_text(self) -> str:
        """The valid choices as shown in error messages: ``full_time (全职), part_time (兼职)``."""
        by_code: dict[str, str] = {}
        for alias, code in self.aliases.items():
            by_code.setdefault(code, alias)
        return ", ".join(f"{code} ({by_code[code]})" if code in by_code else code for code in self.codes)

    def __call__(self, value: Any) -> str:
        if _is_empty(value):
            raise _required()
        if self._lookup is None:
            self._lookup = self._build_lookup()
        code = self._lookup.get(_normalise(str(value)).casefold())
        if code is None:
            raise ValueProblem(
                _('"%(value)s" is not one of the choices: %(choices)s')
                % {"value": _show(value), "choices": self.choices_text()}
            )
        return code


def enum_parser(
    choices: type[enum.Enum] | Mapping[str, Any] | Iterable[tuple[str, Any]],
    chinese_aliases: Mapping[str, str] | None = None,
) -> EnumParser:
    """A parser for ``choices`` (a ``TextChoices`` class, a ``{code: label}`` mapping or pairs).

    ``chinese_aliases`` maps each Chinese label of the file format to its code, e.g.
    ``{"全职": "full_time"}``.
    """
    return EnumParser(choices, chinese_aliases)
