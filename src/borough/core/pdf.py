"""Printable PDFs drawn by WeasyPrint from a page's print HTML (a service level
agreement; the same approach as the committee report, standards/report/pdf.py, made
general: any app may render with its own stylesheets).

WeasyPrint needs Pango (with HarfBuzz, FontConfig and GLib) at run time, and importing it
costs a worker seconds and tens of megabytes, so it is imported on the first PDF drawn
in a process, never when this module is. Until then, whether a PDF can be made is
answered by looking for the package and the libraries its import opens; a failed import
is remembered, and the page says what to install (INSTALL_HINT) instead of failing.

Nothing is fetched over the network while drawing: stylesheets are handed over as local
files and `LocalStaticFetcher` answers only URLs under STATIC_URL, from the static files
on disk; every other URL is refused, so user text can never make the server fetch
anything.
"""

from __future__ import annotations

import ctypes.util
import functools
import importlib.util
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

INSTALL_HINT = (
    "Producing the PDF needs WeasyPrint's system libraries: Pango 1.44 or newer with "
    "HarfBuzz, FontConfig and GLib, and a font. On Debian or Ubuntu install them with "
    "“apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 "
    "libfontconfig1 fonts-dejavu-core”, then restart Borough."
)

# The libraries WeasyPrint's import cannot do without (weasyprint/text/ffi.py).
LIBRARIES = ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the libraries it needs are not installed."""


@functools.cache
def _installed() -> bool:
    if importlib.util.find_spec("weasyprint") is None:
        return False
    return all(ctypes.util.find_library(name) for name in LIBRARIES)


_loaded: dict[str, object] = {}


def _weasyprint():
    """The weasyprint module, imported once; PdfUnavailable with the reason if it cannot."""
    if "module" not in _loaded:
        try:
            import weasyprint
        except (OSError, ImportError) as exc:  # OSError: Pango & co. missing
            _loaded["module"] = None
            _loaded["reason"] = f"{type(exc).__name__}: {exc}"
            logger.warning("PDFs are unavailable: %s", _loaded["reason"])
        else:
            # WeasyPrint logs every step of every document at INFO; keep its warnings.
            logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
            _loaded["module"] = weasyprint
    if _loaded["module"] is None:
        raise PdfUnavailable(_loaded["reason"])
    return _loaded["module"]


def available() -> bool:
    """Whether a PDF can be drawn here, without importing WeasyPrint to find out."""
    if "module" in _loaded:
        return _loaded["module"] is not None
    return _installed()


def static_path(relative: str) -> Path | None:
    """A static file on disk by its path under STATIC_URL; None when there is none."""
    relative = relative.lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _fetcher(base_url: str):
    weasyprint_urls = importlib.import_module("weasyprint.urls")

    class LocalStaticFetcher(weasyprint_urls.URLFetcher):
        """Serves the document's static files from disk and refuses everything else."""

        def __init__(self):
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.base_netloc = urlsplit(base_url).netloc
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
                    return weasyprint_urls.URLFetcherResponse(
                        url, found.read_bytes(), {"Content-Type": media_type})
            self.refused.append(url[:200])
            raise ValueError(f"A PDF fetches nothing but its own static files: {url[:200]}")

    return LocalStaticFetcher()


def render(html: str, *, base_url: str, stylesheets: tuple[str, ...] = ()) -> bytes:
    """The PDF of `html`, styled by these static files. `base_url` is the site's
    address, so relative links work."""
    weasyprint = _weasyprint()
    fetcher = _fetcher(base_url)
    styles = []
    for name in stylesheets:
        path = static_path(name)
        if path is None:  # a broken install; the PDF is still readable without styles
            logger.error("Static file %s not found for a PDF", name)
            continue
        styles.append(weasyprint.CSS(filename=str(path), url_fetcher=fetcher))
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=styles)


def download(request, template: str, context: dict, *, filename: str,
             stylesheets: tuple[str, ...] = (), unavailable: str,
             unavailable_context: dict | None = None):
    """The PDF of `template` drawn with `context`, as a download named `filename`; where
    WeasyPrint cannot run, the page `unavailable` (given `hint`, what to install) with
    503. The one way a page offers a PDF."""
    from django.http import HttpResponse
    from django.shortcuts import render as render_page
    from django.template.loader import render_to_string

    def refused():
        values = {**(context if unavailable_context is None else unavailable_context),
                  "hint": INSTALL_HINT}
        return render_page(request, unavailable, values, status=503)

    if not available():
        return refused()
    html = render_to_string(template, context, request=request)
    try:
        document = render(html, base_url=request.build_absolute_uri("/"),
                          stylesheets=stylesheets)
    except PdfUnavailable:
        return refused()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
