"""The bundled TTF every PDF uses: DejaVu Sans (licence in ``static/fonts/DejaVu-LICENSE.txt``).

reportlab's built-in Helvetica has no ą ę ł ś ź ż; an embedded DejaVu Sans has every Polish
letter. Registered once per process.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ...config import resource_dir

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@lru_cache(maxsize=1)
def register() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) with reportlab; returns their names."""
    folder = resource_dir("static") / "fonts"
    pdfmetrics.registerFont(TTFont(REGULAR, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
