"""The register of report kinds.

Each app declares its report kinds in its own ``reports.py`` (imported from its
``AppConfig.ready``)::

    from core.reports import Report, register

    @register("retention", title=_("Staff retention"), params=("year",))
    def build(*, agency, user=None, year=None, **kw) -> Report: ...

The ``report`` command and the report pages look kinds up here, check the declared
parameters, and call the builder with keyword arguments only.

A kind may declare ``access(user, params) -> bool``: the record-level check of its parameters
(for example "the user may still read this contract"). ``ReportKind.may_open`` combines it with
the role check; a stored report file is re-checked with it every time it is opened, so a
revoked or expired grant, or a changed role, closes the files made under it (docs/roles.md).

A kind may also declare ``access_basis(user, params) -> str | None``: what the user's access
to those parameters rests on now, when it is personal (finance: ``"auditor_grant:<pk>"``, the
auditor's grant on the contract; ``None`` for roles that read every contract). A stored file
records its maker's basis (``MADE_UNDER``, ``ReportKind.made_under``) and opens only while that
same basis holds: a new grant after a revoked one gives new files, not the old ones back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.reports.base import Report, UnknownReport
from core.roles import user_roles

#: Parameters a report kind may take, with the command-line option that supplies each.
PARAMS: dict[str, str] = {"year": "--year", "as_of": "--as-of", "contract": "--contract"}

Builder = Callable[..., Report]
#: ``access(user, params)``: may ``user`` see a report of this kind with these parameters?
AccessCheck = Callable[[object, dict], bool]
#: ``access_basis(user, params)``: what that access rests on now (a JSON string), or None.
AccessBasis = Callable[[object, dict], str | None]

#: The job parameter recording the maker's ``access_basis`` when a report file is asked for.
MADE_UNDER = "made_under"


@dataclass(frozen=True)
class ReportKind:
    """A registered report kind: its builder and what it needs."""

    kind: str
    title: str
    build: Builder
    #: Parameters that must be given (names from ``PARAMS``).
    params: tuple[str, ...] = ("year",)
    #: Parameters that may be given.
    optional: tuple[str, ...] = ()
    #: Roles allowed to run it (pages and API check this; the command runs as the operator).
    roles: tuple[str, ...] = ("director",)
    description: str = ""
    #: The record-level check of the parameters (None: the roles decide alone).
    access: AccessCheck | None = None
    #: What the user's access to the parameters rests on (None: nothing personal to record).
    access_basis: AccessBasis | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every parameter the kind takes, required first."""
        return self.params + self.optional

    def missing(self, given: dict[str, object]) -> list[str]:
        """Required parameters that ``given`` lacks (None or empty counts as missing)."""
        return [name for name in self.params if given.get(name) in (None, "")]

    def unexpected(self, given: dict[str, object]) -> list[str]:
        """Parameters set in ``given`` that the kind does not take."""
        return [name for name in PARAMS if name not in self.accepted and given.get(name) not in (None, "")]

    def allowed_for(self, roles: Iterable[str]) -> bool:
        """True when any of ``roles`` may run this report."""
        return bool(set(roles) & set(self.roles))

    def may_open(self, user, params: dict) -> bool:
        """True when ``user``, as they are now, may see this report with ``params``: an active
        account whose roles allow the kind and who passes the kind's ``access`` check."""
        if user is None or not getattr(user, "is_active", False):
            return False
        if not self.allowed_for(user_roles(user)):
            return False
        return self.access is None or bool(self.access(user, params))

    def basis_of(self, user, params: dict) -> str | None:
        """What ``user``'s access to this report with ``params`` rests on now (``access_basis``)."""
        return None if self.access_basis is None else self.access_basis(user, params)

    def made_under(self, user, params: dict) -> dict[str, str]:
        """The job parameters recording ``user``'s basis for a stored file (``MADE_UNDER``;
        nothing when there is none)."""
        basis = self.basis_of(user, params)
        return {} if basis is None else {MADE_UNDER: basis}

    def still_made_under(self, user, params: dict, stored: dict) -> bool:
        """True when ``user``'s access rests on what ``stored`` (a job's parameters) recorded."""
        return self.basis_of(user, params) == stored.get(MADE_UNDER)

    def param_labels(self, params: dict) -> list[str]:
        """The given parameters as people read them, contract first ("Contract XF-2025-01",
        "2025", "As of 2025-12-31"); a kind whose contract is optional and not given says
        "All contracts". Values come as stored (a job's JSON: strings and numbers)."""
        labels = []
        contract = str(params.get("contract") or "").strip()
        if contract and "contract" in self.accepted:
            labels.append(_("Contract %(code)s") % {"code": contract})
        elif "contract" in self.optional:
            labels.append(_("All contracts"))
        if params.get("year") not in (None, "") and "year" in self.accepted:
            labels.append(str(params["year"]))
        if params.get("as_of") not in (None, "") and "as_of" in self.accepted:
            labels.append(_("As of %(date)s") % {"date": params["as_of"]})
        return labels

    def describe(self, params: dict) -> str:
        """The kind's name and its parameters, e.g. "Contract report · Contract XF-2025-01"."""
        return " · ".join([str(self.title), *self.param_labels(params)])


_registry: dict[str, ReportKind] = {}


def _identity(build: Builder) -> tuple[str, str]:
    return getattr(build, "__module__", ""), getattr(build, "__qualname__", repr(build))


def register(
    kind: str,
    *,
    title: str,
    params: Iterable[str] = ("year",),
    optional: Iterable[str] = (),
    roles: Iterable[str] = ("director",),
    description: str = "",
    access: AccessCheck | None = None,
    access_basis: AccessBasis | None = None,
) -> Callable[[Builder], Builder]:
    """Decorator registering ``build(*, agency, user=None, year=None, as_of=None, contract=None, **kw)``.

    ``params`` are required, ``optional`` may be given; both name entries of ``PARAMS``.
    Registering a kind twice is an error unless it is the same function (module reloads).
    """
    params = tuple(params)
    optional = tuple(optional)
    for name in params + optional:
        if name not in PARAMS:
            raise ValueError(f"report {kind!r}: unknown parameter {name!r} (known: {', '.join(PARAMS)})")

    def decorator(build: Builder) -> Builder:
        existing = _registry.get(kind)
        if existing is not None and _identity(existing.build) != _identity(build):
            raise ValueError(f"report kind {kind!r} is already registered by {existing.build!r}")
        _registry[kind] = ReportKind(
            kind=kind,
            title=title,
            build=build,
            params=params,
            optional=optional,
            roles=tuple(roles),
            description=description,
            access=access,
            access_basis=access_basis,
        )
        return build

    return decorator


def unregister(kind: str) -> None:
    """Remove a kind (tests register throwaway kinds and clean up with this)."""
    _registry.pop(kind, None)


def get(kind: str) -> ReportKind:
    """The registered kind, or ``UnknownReport`` naming every known kind."""
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownReport(kind, sorted(_registry)) from None


def all_kinds() -> list[ReportKind]:
    """Every registered kind, sorted by name."""
    return [_registry[name] for name in sorted(_registry)]


def param_label(name: str) -> str:
    """The command-line option of a parameter, for messages such as "needs --year"."""
    return PARAMS.get(name, name)


__all__ = [
    "MADE_UNDER",
    "PARAMS",
    "ReportKind",
    "all_kinds",
    "get",
    "param_label",
    "register",
    "unregister",
]
