"""Whether this server can draw the committee report's PDF, asked without drawing one.

The HTML report offers the PDF only where it can be made. Importing WeasyPrint to find
out (pdf.py does, once) cost a worker 23 MB on a page that draws nothing, so until the
PDF has been asked for in this process the answer comes from looking for the package and
the shared libraries its import opens. Once pdf.py is loaded, its import's answer holds.
"""

from __future__ import annotations

import ctypes.util
import functools
import importlib.util
import sys

# The hint and the libraries are core.pdf's, shared with every other PDF.
from borough.core.pdf import INSTALL_HINT, LIBRARIES  # noqa: F401 - views import the hint


@functools.cache
def _installed() -> bool:
    if importlib.util.find_spec("weasyprint") is None:
        return False
    return all(ctypes.util.find_library(name) for name in LIBRARIES)


def pdf_available() -> bool:
    pdf = sys.modules.get("borough.standards.report.pdf")
    if pdf is not None:
        return pdf.available()
    return _installed()
