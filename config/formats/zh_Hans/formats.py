"""Simplified Chinese formats: Django's, with money grouped by thousands (1,234,567.89), and
dates entered as ISO first.

Chinese finance documents (budgets, vouchers, funders' reports) group digits by three with a
comma; Django's own zh_Hans module groups by four with no separator, so ``floatformat:"2g"``
printed ``1234567.89`` on Chinese pages.

Django's zh_Hans input formats put ``%Y/%m/%d`` first, which is also the form a date widget
renders its value in; the browser's date picker accepts only ``2026-09-09``, so a stored date
showed as empty (core.widgets renders ISO whatever the list says). Its ``年月日`` forms also used
``%n`` and ``%j`` (a newline and the day of the year), so ``2026年9月9日`` was never accepted.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-09-09', what the browser's date picker sends
    "%Y/%m/%d",  # '2026/09/09'
    "%Y年%m月%d日",  # '2026年9月9日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
