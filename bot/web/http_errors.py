"""JSON errors for every failure an HTTP client can cause, and a body-size limit.

Clients always get ``{"error": {"code": ..., "message": ...}}`` with a 4xx; a bug gets a 500 with
the same shape and no traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.kernel.bounds import MAX_JSON_DEPTH, json_too_deep
from bot.kernel.errors import InvalidMessage

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        fields.append({"field": ".".join(location) or "body", "problem": str(error.get("msg"))})
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(error.get("type") == "json_invalid" for error in exc.errors()):
            _log_refusal(request, 400, "invalid_json")
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        _log_refusal(request, 422, "invalid_request")
        return error_response(
            422,
            "invalid_request",
            "The request is missing fields or has wrong types.",
            fields=_field_errors(exc),
        )

    @app.exception_handler(InvalidMessage)
    async def _invalid_message(request: Request, exc: InvalidMessage) -> JSONResponse:
        _log_refusal(request, 422, exc.code)
        return error_response(422, exc.code, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return _method_not_allowed(request, exc)
        code = {404: "not_found", 403: "forbidden"}.get(exc.status_code, "http_error")
        if exc.status_code != 403:  # whoever refuses a credential logs it as a warning
            _log_refusal(request, exc.status_code, code)
        response = error_response(exc.status_code, code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "Something went wrong on our side.")


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _log_refusal(request: Request, status: int, code: str) -> None:
    """One line per refused request, never a traceback: a client's fault is not a bug."""
    log.info("answered %s %s with %d %s", request.method, request.url.path, status, code)


def allowed_methods(app: Starlette, scope: Scope) -> list[str]:
    """Every method some route of ``app`` answers at the request's path.

    Starlette's 405 names the methods of the first route at the path only, while a path may
    have a route per method (the web chat's POST and GET). Each method is tried against every
    route, as the router itself would match it.
    """
    return [
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in app.routes)
    ]


def _method_not_allowed(request: Request, exc: StarletteHTTPException) -> Response:
    """OPTIONS is answered with the methods of the path; any other method with 405 and them."""
    allow = allowed_methods(request.app, request.scope)
    if request.method == "OPTIONS" and allow:
        return Response(status_code=204, headers={"Allow": ", ".join([*allow, "OPTIONS"])})
    _log_refusal(request, 405, "method_not_allowed")
    response = error_response(405, "method_not_allowed", str(exc.detail))
    response.headers["Allow"] = ", ".join(allow) if allow else (exc.headers or {}).get("Allow", "")
    return response


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413, whether or not Content-Length is sent.

    The body is read here, before the app runs, so an oversized request never reaches a handler
    (bodies are small: the limit is tens of kilobytes).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await self._refuse(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _is_json(scope) and json_too_deep(body):
            # Refused before any handler parses it: Python's parser recurses once per level.
            response = error_response(
                400, "invalid_json", f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels."
            )
            await response(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, "body_too_large", f"The request body is larger than {self.max_bytes} bytes."
        )
        await response(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind: bytes = value.split(b";")[0].strip().lower()
            return kind.startswith(b"application/") and kind.endswith(b"json")
    return False
