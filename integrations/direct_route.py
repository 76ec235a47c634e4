"""``DirectRoute``: a FastAPI route whose endpoint reads the request and writes the response itself.

For the two endpoints every citizen message goes through (the web chat POST and the Twilio SMS
webhook). FastAPI still documents such a route from its declaration (``response_model``,
``responses``, ``openapi_extra``), but at run time it calls the endpoint with the Starlette
``Request`` and sends the ``Response`` it returns: no dependency solving, no body parsing or
validation, no response model validation and serialisation per request. Exceptions still go to
the app's handlers (bot/web/http_errors.py).

Route-level and router-level ``dependencies`` are not run: give such a route none.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, cast

from fastapi import Request, Response
from fastapi.routing import APIRoute

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class DirectRoute(APIRoute):
    def get_route_handler(self) -> Endpoint:
        if self.dependencies or list(inspect.signature(self.endpoint).parameters) != ["request"]:
            raise TypeError(
                f"{self.path}: a DirectRoute's endpoint takes only the request, and has no "
                "dependencies"
            )
        return cast(Endpoint, self.endpoint)
