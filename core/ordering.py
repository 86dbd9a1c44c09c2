"""Sort options of list pages, labelled in the reader's language.

django-filter's ``OrderingFilter`` names its options after the field ("Staff no (descending)"),
in English whatever the language. ``ordering_choices`` gives each parameter its translated label
and a translated "descending" twin.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def ordering_choices(*options: tuple[str, str | Promise]) -> list[tuple[str, str | Promise]]:
    """``ordering_choices(("staff_no", _("Staff no.")), ...)``: ascending then descending, per option."""
    choices: list[tuple[str, str | Promise]] = []
    for param, label in options:
        choices.append((param, label))
        choices.append((f"-{param}", format_lazy(_("{field} (descending)"), field=label)))
    return choices
