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

# What the PDF page shows when WeasyPrint cannot be used, and the docs repeat.
INSTALL_HINT = (
    "Producing the PDF needs WeasyPrint's system libraries: Pango 1.44 or newer with "
    "HarfBuzz, FontConfig and GLib, and a font. On Debian or Ubuntu install them with "
    "“apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 "
    "libfontconfig1 fonts-dejavu-core”, then restart Borough."
)

# The libraries WeasyPrint's import cannot do without (weasyprint/text/ffi.py).
LIBRARIES = ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0")


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
