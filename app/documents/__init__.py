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
  Two more for long documents (a 40-doctor day's journal: 686 rows, 41 pages; docs/performance.md):
  - The user agent stylesheet is WeasyPrint's own without its rules for pseudo-elements of EVERY element
    (`::marker`, footnote and note calls and markers): none of our documents has footnotes or notes, and
    the list marker's rule is kept for `li`. WeasyPrint computes a style for each such pseudo-element of
    each element, uncached (six per table cell): that was most of the cascade's time.
  - Python's cyclic garbage collector is paused while WeasyPrint lays out and draws: its boxes and styles
    are hundreds of thousands of live objects, and every collection walked them (about a third of the time
    of a long journal). The garbage is collected as usual once the collector runs again.
"""

import gc
import logging
import mimetypes
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from flask import render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.document import Document as LaidOutDocument
from weasyprint.html import UA as WEASYPRINT_UA
from weasyprint.html import UA_COUNTER_STYLE
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.core.inputs import without_bidi_controls

log = logging.getLogger(__name__)

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
PRINT_STYLESHEET = STATIC_ROOT / "css" / "print.css"
# Relative URLs in document templates ("fonts/PTSans-Regular.ttf", "img/logo.svg") resolve against this.
STATIC_BASE_URL = STATIC_ROOT.as_uri() + "/"


# WeasyPrint's user agent rules that give every element a pseudo-element (see the module doc): dropped, but
# for the list marker, which only list items need. Pinned WeasyPrint: a test checks that all are found.
EVERY_ELEMENT_PSEUDO_RULES = re.compile(r"^::([\w-]+) \{[^}\n]*\}\n", re.MULTILINE)
DROPPED_PSEUDO_ELEMENTS = ("footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback")


def _print_user_agent_css(ua: str) -> str:
    def keep_or_drop(rule: re.Match) -> str:
        return "li" + rule.group(0) if rule.group(1) == "marker" else ""

    return EVERY_ELEMENT_PSEUDO_RULES.sub(keep_or_drop, ua)


PRINT_USER_AGENT_STYLESHEET = CSS(string=_print_user_agent_css(WEASYPRINT_UA), counter_style=UA_COUNTER_STYLE)


class _PrintHTML(HTML):
    """WeasyPrint's HTML with our user agent stylesheet (WeasyPrint's hook for it, `_ua_stylesheets`)."""

    def _ua_stylesheets(self, forms=False):
        return [PRINT_USER_AGENT_STYLESHEET]


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_paused_by_us = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while any thread renders; it runs again when the last one ends
    (unless something else had switched it off before)."""
    global _gc_pausers, _gc_paused_by_us
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_paused_by_us = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_paused_by_us:
                gc.enable()


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
    with _collector_paused():
        pdf = _laid_out(html).write_pdf()
    _refuse_if_asked(kit)
    return pdf


def html_to_pages(html: str) -> LaidOutDocument:
    """`html` laid out as html_to_pdf lays it out (its pages and boxes), for tests that measure them."""
    with _collector_paused():
        return _laid_out(html)


def _laid_out(html: str) -> LaidOutDocument:
    kit = _kit()
    kit.fetcher.refused.clear()
    html = without_bidi_controls(html)
    document = _PrintHTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=kit.fetcher).render(
        stylesheets=[kit.stylesheet], font_config=kit.font_config
    )
    _refuse_if_asked(kit)
    return document


def _refuse_if_asked(kit: _RenderKit) -> None:
    if kit.fetcher.refused:
        raise ResourceRefused(f"document asked for resources outside app/static: {kit.fetcher.refused[:3]}")


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Template to PDF in one call, for printed views that are not stored (journals, route lists)."""
    return html_to_pdf(render_html(template, context, language=language))
