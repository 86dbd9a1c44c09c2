"""The browser's own date and time pickers, with values it can read in every language.

An ``<input type="date">`` only accepts ``YYYY-MM-DD`` (and ``type="time"`` only ``HH:MM``):
a value in the page language's first input format, such as zh-Hans ``2026/09/09``, is
dropped by the browser, so a form shows a stored date as empty and saving it again erases an
optional one. These widgets always render the ISO forms; every form of the product uses them.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_TIME)
