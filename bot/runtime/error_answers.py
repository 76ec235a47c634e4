"""The error answers of the HTTP API as the OpenAPI spec documents them.

Every route of the API names the 4xx answers it can give with :func:`documented_errors`, so a
client (and schemathesis in the tests) knows them all; the answers themselves are written by
``bot/web/http_errors.py`` in the one shape ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


_DESCRIPTIONS = {
    400: "The body is not valid JSON, not UTF-8, nested too deep, or a field is malformed",
    403: "The request is not signed or authenticated as the channel requires",
    404: "The channel is not configured",
    413: "The request body is larger than server.max_body_bytes",
    422: "A field is missing, has the wrong type or is out of range (ids, lengths, dates)",
}


def documented_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses=`` for the error answers ``statuses`` a route gives."""
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {"application/json": {"schema": ErrorOut.model_json_schema()}},
        }
        for status in statuses
    }
