"""The committee report as a PDF, drawn by WeasyPrint from the report's print HTML.
Finding static files and the install hint are core.pdf's, which draws every other PDF;
this module keeps its import-time load of WeasyPrint, which its tests pin.

WeasyPrint needs Pango (and through it HarfBuzz, FontConfig and GLib) at run
time. When those system libraries are missing, importing it raises OSError;
that is caught here once, when this module is imported, so the HTML report
keeps working and the PDF page says what to install (docs/installing.md).

Nothing is fetched over the network while drawing: the stylesheet is handed
to WeasyPrint as a local file, and `LocalStaticFetcher` answers only URLs under
STATIC_URL, from the static files on disk; every other URL (http, https,
file, data) is refused, so user text can never make the server fetch anything.
"""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings

from borough.core.pdf import INSTALL_HINT, static_path  # noqa: F401 - pdf.INSTALL_HINT

logger = logging.getLogger(__name__)


# WeasyPrint logs every step of every document at INFO; keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

try:  # At import time, once: a missing library must not break the rest of the app.
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except (OSError, ImportError) as exc:  # OSError: Pango & co. missing; ImportError: package
    weasyprint = None
    URLFetcher = object
    URLFetcherResponse = None
    UNAVAILABLE_REASON = f"{type(exc).__name__}: {exc}"
    logger.warning("The committee report PDF is unavailable: %s", UNAVAILABLE_REASON)
else:
    UNAVAILABLE_REASON = ""

# The stylesheets the PDF is drawn with (static files of this app and core's charts).
STYLESHEETS = ("standards/report-print.css", "borough/charts.css")


def available() -> bool:
    """Whether WeasyPrint and its system libraries could be loaded."""
    return weasyprint is not None


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the libraries it needs are not installed."""


class LocalStaticFetcher(URLFetcher):
    """Serves the report's static files from disk and refuses everything else."""

    def __init__(self, base_url: str):
        if weasyprint is None:
            raise PdfUnavailable(UNAVAILABLE_REASON)
        super().__init__(allowed_protocols=(), allow_redirects=False)
        base = urlsplit(base_url)
        self.base_netloc = base.netloc
        self.static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = unquote(parts.path)
        if (parts.scheme in ("http", "https") and parts.netloc == self.base_netloc
                and path.startswith(self.static_prefix)):
            found = static_path(path[len(self.static_prefix):])
            if found is not None:
                media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": media_type})
        self.refused.append(url[:200])
        raise ValueError(f"The committee report fetches nothing but its own static files: {url[:200]}")


def render(html: str, *, base_url: str) -> bytes:
    """The PDF of `html`. `base_url` is the site's address, so relative links work."""
    if weasyprint is None:
        raise PdfUnavailable(UNAVAILABLE_REASON)
    fetcher = LocalStaticFetcher(base_url)
    stylesheets = []
    for name in STYLESHEETS:
        path = static_path(name)
        if path is None:  # a broken install; the PDF is still readable without styles
            logger.error("Static file %s not found for the committee report PDF", name)
            continue
        stylesheets.append(weasyprint.CSS(filename=str(path), url_fetcher=fetcher))
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets)
