"""Response headers that keep browsers safe with every page, and redirects that stay on this site.

Every response gets a strict Content-Security-Policy (scripts and styles from this site only, no
inline ones, nothing framed), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
no-referrer`` (the web chat's key travels in its poll's query string). The web chat page may be
framed by the origins in ``webchat.embed_origins``; the inbox and the rest by none.

A redirect Starlette builds from the request (a trailing slash removed) names the ``Host`` the
client sent: it is made relative here, so a forged ``Host`` never reaches a ``Location``. Which
host names are served at all is :func:`trusted_hosts`' (:class:`TrustedHosts`, Starlette's check).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CHAT_PAGE_PATH = "/chat"
API_DOCS_PATH = "/api/docs"
# FastAPI's own Swagger UI page: an inline start script, files from this CDN. Only when
# server.api_docs is on (development).
_DOCS_CDN = "https://cdn.jsdelivr.net"


def content_security_policy(frame_ancestors: Sequence[str] = ()) -> str:
    """The policy of every page: this site's own scripts, styles, images and requests only."""
    ancestors = " ".join(frame_ancestors) or "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


_DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_DOCS_CDN}; "
    f"style-src 'self' {_DOCS_CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def trusted_hosts(configured: Sequence[str], public_url: str, listen_host: str = "") -> list[str]:
    """The host names requests may name: the configured ones, the public URL's, and the address
    the server listens on unless that is every address (``0.0.0.0``)."""
    hosts = list(configured)
    extra = [urlsplit(public_url).hostname or ""]
    if listen_host not in ("0.0.0.0", "::", ""):  # noqa: S104 (compared, not bound)
        extra.append(listen_host)
    hosts += [host for host in extra if host and host not in hosts]
    return hosts


# Load balancers and orchestrators probe these by address; they show nothing and never redirect.
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


class TrustedHosts(TrustedHostMiddleware):
    """Starlette's host check (a 400 for any other ``Host``), but not on the health checks."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class SecurityHeaders:
    """Pure ASGI middleware: the headers above on every HTTP response, and relative redirects."""

    def __init__(
        self, app: ASGIApp, *, embed_origins: Sequence[str] = (), api_docs: bool = False
    ) -> None:
        self.app = app
        self.api_docs = api_docs
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]
        strict = content_security_policy().encode()
        self._headers = [
            *common,
            (b"content-security-policy", strict),
            (b"x-frame-options", b"DENY"),
        ]
        chat = [(b"content-security-policy", content_security_policy(embed_origins).encode())]
        # X-Frame-Options cannot name origins: sent only when no site may frame the chat.
        self._chat_headers = self._headers if not embed_origins else [*common, *chat]
        self._docs_headers = [
            *common,
            (b"content-security-policy", _DOCS_POLICY.encode()),
            (b"x-frame-options", b"DENY"),
        ]

    def _headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
        if path == CHAT_PAGE_PATH:
            return self._chat_headers
        if self.api_docs and path == API_DOCS_PATH:
            return self._docs_headers
        return self._headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self._headers_for(scope["path"])
        host = _request_host(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, _relative(value, host) if name == b"location" else value)
                    for name, value in message.get("headers", ())
                    if name not in _REPLACED
                ]
                message = {**message, "headers": [*headers, *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_REPLACED = frozenset(
    {b"content-security-policy", b"x-content-type-options", b"referrer-policy", b"x-frame-options"}
)


def _request_host(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return bytes(value).lower()
    return b""


def _relative(location: bytes, host: bytes) -> bytes:
    """``http://<the request's host>/path?q`` as ``/path?q``; any other location as it is."""
    for scheme in (b"http://", b"https://"):
        if location.lower().startswith(scheme + host) and host:
            rest = location[len(scheme + host) :]
            if not rest or rest.startswith((b"/", b"?")):
                return rest if rest.startswith(b"/") else b"/" + rest
    return location
