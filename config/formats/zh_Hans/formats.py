"""Simplified Chinese formats: Django's, with money grouped by thousands (1,234,567.89).

Chinese finance documents (budgets, vouchers, funders' reports) group digits by three with a
comma; Django's own zh_Hans module groups by four with no separator, so ``floatformat:"2g"``
printed ``1234567.89`` on Chinese pages.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
