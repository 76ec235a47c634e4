"""schemathesis against the app's own OpenAPI document, in-process: every documented operation,
with generated valid and invalid input, answers without a server error and only with status
codes its document lists. (schemathesis's pytest plugin does not run on this pytest; its
strategies are driven by hypothesis directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from bot.services import Services
from bot.wiring import create_app

CHECKS = [not_a_server_error, status_code_conformance]
# Bounded so the whole suite stays fast: per operation and generation mode.
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _operations(services: Services) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(services))
    return [result.ok() for result in schema.get_all_operations()]


def _has_input(operation: schemathesis.APIOperation) -> bool:
    parameters = (operation.path_parameters, operation.query, operation.headers, operation.body)
    return any(len(group) for group in parameters)


def test_the_document_lists_every_api_route(services: Services) -> None:
    labels = {operation.label for operation in _operations(services)}
    assert {
        "POST /api/chat/messages",
        "GET /api/chat/messages",
        "POST /nlu/parse",
        "POST /webhooks/telegram",
        "POST /webhooks/twilio/sms",
        "POST /webhooks/twilio/status",
    } <= labels


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_only_as_documented(
    services: Services, mode: GenerationMode
) -> None:
    for operation in _operations(services):
        if mode == GenerationMode.NEGATIVE and not _has_input(operation):
            continue  # nothing to make invalid

        @EXAMPLES
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        call()
