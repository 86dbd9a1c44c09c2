"""The one font every PDF and chart uses, so Chinese text is real, searchable text.

The first TrueType font found among ``FONT_CANDIDATES`` (or the path in the optional
``REPORTS_CJK_FONT`` setting) is embedded; without any, reportlab's built-in CID font
``STSong-Light`` is used, which PDF readers supply themselves.
"""

from __future__ import annotations

import logging
import os
from functools import cache

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

FONT_NAME = "ReportCJK"
CID_FALLBACK = "STSong-Light"

#: (path, subfont index in a .ttc collection); TrueType outlines only (reportlab limit).
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
)


@cache
def cjk_font() -> str:
    """Register (once) and return the name of the font for all report text."""
    configured = getattr(settings, "REPORTS_CJK_FONT", None)
    candidates = ((configured, 0), *FONT_CANDIDATES) if configured else FONT_CANDIDATES
    for path, index in candidates:
        if not os.path.exists(path):
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        except Exception:  # a CFF-flavoured or damaged font: try the next one
            logger.warning("cannot use %s as the report font", path, exc_info=True)
            continue
        pdfmetrics.registerFontFamily(
            FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
        )
        return FONT_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    pdfmetrics.registerFontFamily(
        CID_FALLBACK, normal=CID_FALLBACK, bold=CID_FALLBACK, italic=CID_FALLBACK, boldItalic=CID_FALLBACK
    )
    return CID_FALLBACK
