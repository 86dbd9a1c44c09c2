"""The registry of rules: every rule module of a package, found by name, in the derived order.

Each plain module of ``finance.rules`` is one rule: it is named after its code in lower case
(``line_overspend.py`` declares ``LINE_OVERSPEND``) and declares ``RULE = Rule(...)``. Modules
whose name starts with an underscore hold helpers shared by several rules; ``base``,
``registry`` and ``examples`` are the machinery. The registry refuses a second rule with a code
it already holds, and two rules that give one policy key different kinds or defaults.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Iterator, Mapping
from importlib import import_module

from finance.rules.base import PolicyKey, Rule, RuleDeclarationError

MACHINERY = frozenset({"base", "registry", "examples"})


def rule_module_names(package) -> list[str]:
    """Full names of the rule modules of ``package`` (an imported package), sorted."""
    return sorted(
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.ispkg and not info.name.startswith("_") and info.name not in MACHINERY
    )


class Registry(Mapping):
    """Rule code → ``Rule``, iterated in the order of docs/rules.md (severity, then position)."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._origin: dict[str, str] = {}
        self._ordered: list[Rule] | None = None

    # --- registration ----------------------------------------------------------------------

    def register(self, rule: Rule, *, origin: str = "") -> Rule:
        """Add ``rule``; a code already registered is refused, naming both declarations."""
        if not isinstance(rule, Rule):
            raise RuleDeclarationError(f"{origin or 'a module'}: RULE must be a finance.rules.base.Rule")
        if rule.code in self._rules:
            raise RuleDeclarationError(
                f"duplicate rule code {rule.code}: declared in {self._origin[rule.code] or 'a module'} "
                f"and again in {origin or 'a module'}; every rule needs its own code"
            )
        for key in rule.policy:
            known = self._policy_key(key.name)
            if known is not None and not known.same_as(key):
                raise RuleDeclarationError(
                    f"rule {rule.code}: policy key {key.name} is declared as {key.kind} "
                    f"{key.default!r}, but another rule declares it as {known.kind} {known.default!r}"
                )
        self._rules[rule.code] = rule
        self._origin[rule.code] = origin
        self._ordered = None
        return rule

    def register_module(self, name: str) -> Rule:
        """Import the rule module ``name`` and register the ``RULE`` it declares."""
        module = import_module(name)
        rule = getattr(module, "RULE", None)
        if rule is None:
            raise RuleDeclarationError(f"{name}: a rule module must declare RULE = Rule(...)")
        expected = name.rsplit(".", 1)[-1].upper()
        if getattr(rule, "code", None) != expected:
            raise RuleDeclarationError(
                f"{name}: declares rule {getattr(rule, 'code', None)!r}; a rule module is named "
                f"after its code, so this module declares {expected}"
            )
        return self.register(rule, origin=name)

    def discover(self, package) -> None:
        """Register every rule module of ``package``, then check examples name known rules."""
        for name in rule_module_names(package):
            self.register_module(name)
        self.check()

    def reload(self, package) -> None:
        """Discover ``package`` afresh (a module added or removed); on an error nothing changes."""
        fresh = Registry()
        fresh.discover(package)
        self._rules, self._origin, self._ordered = fresh._rules, fresh._origin, None

    def check(self) -> None:
        for rule in self._rules.values():
            if rule.example_from is not None and rule.example_from not in self._rules:
                raise RuleDeclarationError(
                    f"rule {rule.code}: example_from names {rule.example_from}, which is not a rule"
                )

    def clear(self) -> None:
        self._rules.clear()
        self._origin.clear()
        self._ordered = None

    # --- reading ---------------------------------------------------------------------------

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self.order())

    def __len__(self) -> int:
        return len(self._rules)

    def ordered(self) -> list[Rule]:
        """Every rule: critical first, then each severity's rules by position (ties: code)."""
        if self._ordered is None:
            self._ordered = sorted(self._rules.values(), key=lambda rule: rule.order_key)
        return list(self._ordered)

    def order(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in self.ordered())

    def rank(self, code: str) -> int:
        """A rule's place in the order (unknown codes last)."""
        ranks = {rule.code: i for i, rule in enumerate(self.ordered())}
        return ranks.get(code, len(ranks))

    def _policy_key(self, name: str) -> PolicyKey | None:
        for rule in self._rules.values():
            for key in rule.policy:
                if key.name == name:
                    return key
        return None

    def policy_keys(self) -> dict[str, PolicyKey]:
        """The policy keys the rules read: in rule order, each rule's keys as it lists them."""
        keys: dict[str, PolicyKey] = {}
        for rule in self.ordered():
            for key in rule.policy:
                keys.setdefault(key.name, key)
        return keys
