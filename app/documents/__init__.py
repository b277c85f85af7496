"""Rendering printed documents: a Jinja template -> HTML -> WeasyPrint -> PDF bytes.

One engine for every printed thing (talons, information forms, refusals, journals):

    html = render_html("documents/information_form.html", context, language="kk")
    pdf = html_to_pdf(html)

- Templates live in app/templates/documents/ and extend documents/base.html; they are rendered under
  `force_locale(language)`, so `_()`, `|date` and friends speak the document's language, not the visitor's.
- One shared A4 stylesheet, app/static/css/print.css, with the fonts shipped in app/static/fonts (PT Sans
  and PT Serif subsets covering Kazakh and Russian; see scripts/subset_fonts.py).
- Resources are fetched by `StaticOnlyFetcher`: files under app/static only. file:// anywhere else,
  http(s), data: and every other scheme are refused, and a refused resource fails the rendering
  (`ResourceRefused`), so a document can never reach the network or read the server's files.
- Bidi embedding, override and isolate controls are removed from every document before it is laid out, so
  no name or address, whatever its source (a form, a registry, an old row), prints backwards.
- Speed: WeasyPrint's font configuration and the parsed stylesheet are built once per thread and reused,
  so a one-page form renders in tens of milliseconds instead of paying for a Fontconfig scan each time.
"""

import logging
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from flask import render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.core.inputs import without_bidi_controls

log = logging.getLogger(__name__)

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
PRINT_STYLESHEET = STATIC_ROOT / "css" / "print.css"
# Relative URLs in document templates ("fonts/PTSans-Regular.ttf", "img/logo.svg") resolve against this.
STATIC_BASE_URL = STATIC_ROOT.as_uri() + "/"


class ResourceRefused(ValueError):
    """A document asked for a resource outside app/static (or by a scheme other than file://)."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves files under `root` and refuses everything else."""

    def __init__(self, root: Path = STATIC_ROOT):
        super().__init__(fail_on_errors=False)
        self.root = root.resolve()
        self.refused: list[str] = []
        self._cache: dict[Path, bytes] = {}

    def fetch(self, url, headers=None):
        try:
            path = self.resolve(url)
        except ResourceRefused:
            self.refused.append(url)
            log.warning("document resource refused: %s", url[:200])
            raise
        body = self._cache.get(path)
        if body is None:
            body = self._cache[path] = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def resolve(self, url: str) -> Path:
        """The file `url` names, if it is an existing file under the root; ResourceRefused otherwise."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"only files under {self.root} may be used: {url[:200]}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ResourceRefused(f"not a file under {self.root}: {url[:200]}")
        return path


@dataclass
class _RenderKit:
    """What is worth reusing between renders in one thread (WeasyPrint objects are not thread-safe)."""

    fetcher: StaticOnlyFetcher = field(default_factory=StaticOnlyFetcher)
    font_config: FontConfiguration = field(default_factory=FontConfiguration)
    stylesheet: CSS | None = None


_local = threading.local()


def _kit() -> _RenderKit:
    kit = getattr(_local, "kit", None)
    if kit is None:
        kit = _RenderKit()
        kit.stylesheet = CSS(
            filename=str(PRINT_STYLESHEET), url_fetcher=kit.fetcher, font_config=kit.font_config
        )
        _local.kit = kit
    return kit


def render_html(template: str, context: dict, *, language: str) -> str:
    """The document's HTML in `language` (Babel messages, dates and numbers alike)."""
    with force_locale(language):
        return render_template(template, **context)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of `html` with the shared print stylesheet. Raises ResourceRefused (see module doc)."""
    kit = _kit()
    kit.fetcher.refused.clear()
    html = without_bidi_controls(html)
    pdf = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=kit.fetcher).write_pdf(
        stylesheets=[kit.stylesheet], font_config=kit.font_config
    )
    if kit.fetcher.refused:
        raise ResourceRefused(f"document asked for resources outside app/static: {kit.fetcher.refused[:3]}")
    return pdf


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Template to PDF in one call, for printed views that are not stored (journals, route lists)."""
    return html_to_pdf(render_html(template, context, language=language))
