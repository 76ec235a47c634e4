"""Every page family carries the security headers; hosts, redirects and the API docs.

Issue 19 found no Content-Security-Policy, X-Content-Type-Options or Referrer-Policy, /chat
framable by any site, /api/docs loading scripts from a CDN and a forged ``Host`` echoed into
redirects (``Location: http://evil.example/inbox``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from bot.inbox.chart import Series, bar_chart
from bot.runtime.config import load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Citizen, Conversation
from bot.web.security import content_security_policy, trusted_hosts
from bot.wiring import build_services, create_app
from tests.bot.inbox.conftest import InboxClient, MakeConsultant, inbox_env
from tests.chat import ChatTester

REPO = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = [REPO / "bot" / "web" / "templates", REPO / "bot" / "inbox" / "templates"]
STRICT = content_security_policy()


def _assert_secured(response: Response, *, framable_by: str = "'none'") -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    assert policy == content_security_policy([] if framable_by == "'none'" else [framable_by])
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert f"frame-ancestors {framable_by}" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    if framable_by == "'none'":
        assert headers["x-frame-options"] == "DENY"
    else:
        assert "x-frame-options" not in headers


def test_the_citizens_pages_and_apis_carry_the_headers(client: TestClient) -> None:
    answers = [
        client.get("/chat"),
        client.get("/chat?lang=en"),
        client.get("/static/chat.js"),
        client.get("/static/chat.css"),
        client.get("/", follow_redirects=False),
        client.post("/api/chat/messages", json={"session": "headers-test-01", "text": "hej"}),
        client.get("/api/chat/messages", params={"session": "headers-test-01"}),
        client.post("/api/chat/session/end", json={"session": "headers-test-01"}),
        client.get("/api/chat/messages", params={"session": "headers-test-01"}),  # 410
        client.post("/api/chat/messages", json={"session": "short"}),  # 422
        client.put("/api/chat/messages"),  # 405
        client.get("/healthz"),
        client.get("/readyz"),
        client.get("/api/openapi.json"),
        client.get("/nope"),  # 404
        client.post("/nlu/parse", json={"text": "hej"}),
        client.post("/webhooks/telegram", json={}),  # refused without its secret
        client.post("/webhooks/twilio/sms", data={}),  # refused without a signature
        client.post("/webhooks/twilio/status", data={}),
    ]
    assert {a.status_code for a in answers} >= {200, 307, 404, 405, 410, 422}
    for answer in answers:
        _assert_secured(answer)


def test_the_inbox_pages_carry_the_headers_and_cannot_be_framed(
    inbox: InboxClient, make_consultant: MakeConsultant, services: Services
) -> None:
    make_consultant("anna", role="admin")
    ChatTester(services, address="headers-citizen-01").say("menneske")
    with transaction(services.session_factory) as db:
        conversation_id = db.scalars(select(Conversation.id)).one()
        citizen_id = db.scalars(select(Citizen.id)).one()
    _assert_secured(inbox.get("/inbox/login"))
    _assert_secured(inbox.get("/inbox"))  # the redirect to the login
    assert inbox.login("anna").status_code == 303
    pages = [
        "/inbox",
        "/inbox/queue.fragment",
        f"/inbox/conversations/{conversation_id}",
        f"/inbox/conversations/{conversation_id}/transcript.fragment",
        f"/inbox/citizens/{citizen_id}",
        "/inbox/bookings",
        "/inbox/slots",
        "/inbox/statistics",
        "/inbox/canned",
        "/inbox/audit",
        "/inbox/assets/inbox.js",
        "/inbox/assets/inbox.css",
        "/inbox/conversations/999999",
    ]
    for path in pages:
        answer = inbox.get(path)
        assert answer.status_code in (200, 404), path
        _assert_secured(answer)
    _assert_secured(inbox.post(f"/inbox/conversations/{conversation_id}/claim"))


@pytest.fixture
def embeddable_client(
    database_url: str, tmp_path: Path, services: Services
) -> Iterator[TestClient]:
    config = load_config(
        env={
            **inbox_env(database_url, tmp_path),
            "BORGERCHAT_WEBCHAT__EMBED_ORIGINS": '["https://www.kommune.test"]',
        }
    )
    embedded = build_services(config, engine=services.engine, clock=services.clock)
    with TestClient(create_app(embedded)) as client:
        yield client


def test_the_web_chat_can_be_framed_only_by_the_configured_origins(
    embeddable_client: TestClient,
) -> None:
    _assert_secured(embeddable_client.get("/chat"), framable_by="https://www.kommune.test")
    # Nothing else is framable: the inbox least of all.
    _assert_secured(embeddable_client.get("/inbox/login"))
    _assert_secured(embeddable_client.get("/static/chat.js"))


def test_an_embed_origin_that_is_not_an_origin_is_refused_at_start() -> None:
    from bot.kernel.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_config(env={"BORGERCHAT_WEBCHAT__EMBED_ORIGINS": '["https://a.dk; script-src *"]'})
    assert caught.value.key.startswith("webchat.embed_origins")


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick=, onchange=, ...
    re.compile(r"javascript:", re.IGNORECASE),
]


def test_no_template_has_an_inline_script_or_style() -> None:
    """The policy refuses inline code: a page that had some would break, not run it."""
    templates = [path for folder in TEMPLATE_DIRS for path in folder.glob("*.html")]
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in INLINE:
            assert not pattern.search(text), f"{path.name}: {pattern.pattern}"
        # Scripts and styles from this site only.
        for source in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', text):
            assert source.startswith("/"), f"{path.name}: {source}"


def test_the_statistics_chart_svg_has_no_inline_style() -> None:
    svg = str(bar_chart("Fremmøde", ["uge 1"], [Series("SMS", "#0b5cad", [0.5])]))
    for pattern in INLINE:
        assert not pattern.search(svg)


# --- Hosts and redirects ----------------------------------------------------------------------


def test_a_forged_host_is_refused(client: TestClient) -> None:
    for path in ("/inbox/", "/chat", "/api/chat/messages?session=host-test-001"):
        answer = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
        assert answer.status_code == 400, path
        assert "evil.example" not in answer.headers.get("location", "")
        _assert_secured(answer)
    # A load balancer probes the health checks by address.
    for path in ("/healthz", "/readyz"):
        assert client.get(path, headers={"host": "10.0.3.7:8000"}).status_code == 200


def test_the_public_urls_host_and_the_configured_hosts_are_served(
    database_url: str, tmp_path: Path, services: Services
) -> None:
    config = load_config(
        env={
            "DATABASE_URL": database_url,
            "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path / "nlu"),
            "BORGERCHAT_SERVER__PUBLIC_URL": "https://chat.kommune.test",
            "BORGERCHAT_SECRET_KEY": "test-secret-key-for-the-inbox-0123456789",
        }
    )
    app = create_app(build_services(config, engine=services.engine, clock=services.clock))
    for base in ("https://chat.kommune.test", "http://localhost", "http://127.0.0.1:8000"):
        with TestClient(app, base_url=base) as client:
            assert client.get("/chat").status_code == 200, base
    with TestClient(app) as client:  # "testserver": not in the shipped list
        assert client.get("/chat").status_code == 400


def test_the_shipped_trusted_hosts_are_local_ones() -> None:
    assert load_config(env={}).settings.server.trusted_hosts == ["localhost", "127.0.0.1"]


def test_redirects_are_relative_whatever_host_was_named(client: TestClient) -> None:
    for host in ("testserver", "localhost", "127.0.0.1"):
        slash = client.get("/inbox/", headers={"host": host}, follow_redirects=False)
        assert slash.status_code == 307
        assert slash.headers["location"] == "/inbox"
        slash = client.get("/inbox/?a=1", headers={"host": host}, follow_redirects=False)
        assert slash.headers["location"] == "/inbox?a=1"
        home = client.get("/", headers={"host": host}, follow_redirects=False)
        assert home.headers["location"] == "/chat"
        login = client.get("/inbox", headers={"host": host}, follow_redirects=False)
        assert login.headers["location"] == "/inbox/login"


# --- API docs ---------------------------------------------------------------------------------


def test_the_api_docs_page_is_off_by_default_and_the_spec_is_served(client: TestClient) -> None:
    assert client.get("/api/docs").status_code == 404
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    assert "/api/chat/messages" in spec.json()["paths"]


def test_no_page_loads_anything_from_another_site(client: TestClient) -> None:
    for path in ("/chat", "/inbox/login"):
        page = client.get(path).text
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page), path


def test_the_api_docs_page_when_turned_on_for_development(
    database_url: str, tmp_path: Path, services: Services
) -> None:
    config = load_config(
        env={**inbox_env(database_url, tmp_path), "BORGERCHAT_SERVER__API_DOCS": "true"}
    )
    with TestClient(
        create_app(build_services(config, engine=services.engine, clock=services.clock))
    ) as client:
        docs = client.get("/api/docs")
        assert docs.status_code == 200
        # Swagger UI's CDN is allowed on that page only.
        assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
        _assert_secured(client.get("/chat"))


def test_the_trusted_hosts_add_the_public_url_and_a_concrete_listen_address() -> None:
    assert trusted_hosts(["localhost"], "https://chat.kommune.test", "0.0.0.0") == [  # noqa: S104
        "localhost",
        "chat.kommune.test",
    ]
    assert trusted_hosts(["localhost"], "http://localhost:8000", "192.168.1.20") == [
        "localhost",
        "192.168.1.20",
    ]
