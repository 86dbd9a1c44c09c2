"""English formats: Django's (1,234,567.89), named here so both languages are defined in one place."""

from django.conf.locale.en.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
