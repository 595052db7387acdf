"""The API's own lane through Django: the endpoint behind a one-middleware chain.

Console pages need sessions, CSRF, messages, CSP and the sign-in gate; a
signed API call reads none of them (the endpoint never looks at a session),
yet through the console's chain it would pay for all twelve on every request.
``iamconsole.wsgi`` sends API calls here and everything else, browsers
opening ``/`` included, to the console's handler. Both are Django's
``WSGIHandler``: the same request objects, signals (database connections are
recycled as for any request) and exception handling.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.utils.module_loading import import_string


def is_api_request(meta: Mapping) -> bool:
    """Whether a request to the root path is an API call (rather than a browser's visit).

    The raw query string, not request.GET: Django would answer a query with
    too many fields with an HTML error page before the endpoint could.
    """
    names = {item.partition("=")[0] for item in meta.get("QUERY_STRING", "").split("&")}
    return (meta.get("REQUEST_METHOD") not in ("GET", "HEAD") or "Action" in names
            or "X-Amz-Signature" in names or "HTTP_AUTHORIZATION" in meta)


def is_api_call(environ: Mapping) -> bool:
    """An API call: the root path, asked as is_api_request tells."""
    return environ.get("PATH_INFO", "/") in ("/", "") and is_api_request(environ)


# The content types SDKs send, already parsed: Django parses every request's
# with the email package, which costs more than this lane's whole routing.
_PARSED_CONTENT_TYPES = {
    "application/x-www-form-urlencoded; charset=utf-8":
        ("application/x-www-form-urlencoded", {"charset": "utf-8"}),
    "application/x-www-form-urlencoded": ("application/x-www-form-urlencoded", {}),
    "": ("", {}),
}


@lru_cache(maxsize=256)
def _meta_key(header: str) -> str:
    key = header.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


class MetaHeaders:
    """``request.headers`` for the lane: each header read from META by name.

    Django's HttpHeaders copies every header into a case-insensitive mapping
    first, which costs more than verifying the signature that reads four of
    them. Names resolve as HttpHeaders resolves them (any case, ``-`` or ``_``).
    """

    __slots__ = ("_meta",)

    def __init__(self, meta: Mapping):
        self._meta = meta

    def get(self, name: str, default=None):
        return self._meta.get(_meta_key(name), default)

    def __getitem__(self, name: str) -> str:
        return self._meta[_meta_key(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _meta_key(name) in self._meta


class ApiRequest(WSGIRequest):
    @property
    def headers(self) -> MetaHeaders:
        return MetaHeaders(self.META)

    def _set_content_type_params(self, meta):
        parsed = _PARSED_CONTENT_TYPES.get(meta.get("CONTENT_TYPE", ""))
        if parsed is None:
            super()._set_content_type_params(meta)
            return
        self.content_type, params = parsed
        self.content_params = dict(params)
        if "charset" in params:
            # The attribute, not the ``encoding`` setter: while the request is
            # being built there is no GET or POST to reset, and the setter's
            # check for GET would parse the query string to find out.
            self._encoding = params["charset"]


class ApiHandler(WSGIHandler):
    """Django's WSGI handler for API calls to the root path (``is_api_call``).

    The same request objects, signals (database connections are recycled as
    for any request) and exception handling as the console's handler, but the
    chain is ``settings.API_MIDDLEWARE`` around the endpoint itself: the lane
    serves one view, so there is no URL to resolve and no view middleware.
    The host is checked against ALLOWED_HOSTS as the console's CommonMiddleware
    does, and the response carries its Content-Length for keep-alive clients.
    """

    request_class = ApiRequest

    def load_middleware(self, is_async=False):
        from awsquery.views import endpoint

        def answer(request):
            request.get_host()  # DisallowedHost: a 400, as for the console
            response = endpoint(request)
            response.headers["Content-Length"] = str(len(response.content))
            return response

        # The API's middleware are plain request/response ones (no process_view,
        # process_exception or template hooks), so the chain is just nested calls.
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(answer)
        for path in reversed(settings.API_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler
