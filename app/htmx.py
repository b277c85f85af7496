"""The one place that decides whether a request gets the whole page or only a fragment."""

from flask import make_response, redirect, render_template, request


def is_htmx_request() -> bool:
    # Boosted links want the whole page; only targeted htmx requests get a fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(page_template: str, fragment_template: str | None = None, status: int = 200, **context):
    """Render `page_template`, or `fragment_template` for an htmx request.

    The page {% include %}s the fragment, so each piece of markup has one source. `Vary: HX-Request`
    stops a cache from serving a fragment where a page was asked for, or the other way round.
    """
    template = fragment_template if fragment_template and is_htmx_request() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect_after_step(target: str):
    """A finished step moves on to `target`: a 303 for a plain form, `HX-Redirect` for htmx.

    Not a 3xx for htmx: the browser would follow it inside the XHR and htmx would swap the whole next
    page into the target instead of navigating.
    """
    if is_htmx_request():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)
