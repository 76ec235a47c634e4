"""`borgerchat serve` tells uvicorn to believe no proxy header: only the app's own middleware
does, for the addresses in ``inbox.trusted_proxies`` (uvicorn's default trusts 127.0.0.1)."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import logs


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_leaves_proxy_headers_to_the_app(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Any, workers: str
) -> None:
    runs: list[dict[str, Any]] = []

    def run(app_or_factory: Any, **kwargs: Any) -> None:
        runs.append(kwargs)
        if not isinstance(app_or_factory, str):  # one process: the services serve would close
            app_or_factory.state.services.close()

    monkeypatch.setattr(uvicorn, "run", run)
    # The test session's logging stays pytest's.
    monkeypatch.setattr(logs, "configure_logging", lambda level: None)
    result = CliRunner().invoke(
        app,
        ["serve", "--workers", workers],
        env={"DATABASE_URL": database_url, "BORGERCHAT_NLU__MODEL_DIR": str(tmp_path / "nlu")},
    )
    assert result.exit_code == 0, result.output
    assert [run["proxy_headers"] for run in runs] == [False]
