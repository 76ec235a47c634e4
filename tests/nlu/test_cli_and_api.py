"""`borgerchat nlu train|parse|test` and `POST /nlu/parse`, as a user and a client meet them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.cli.main import app
from nlu.types import INTENTS

runner = CliRunner()


@pytest.fixture
def cli_env(model_dir_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in model_dir_env.items():
        monkeypatch.setenv(key, value)


@pytest.mark.usefixtures("cli_env")
def test_parse_answers_each_stdin_line_with_one_json_line_in_order() -> None:
    lines = ["hej", "", "kan jeg få en tid i morgen kl 10", "jeg vil ikke leve mere"]
    result = runner.invoke(
        app, ["nlu", "parse", "--now", "2026-11-23T09:12:00+01:00"], input="\n".join(lines) + "\n"
    )
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [answer["text"] for answer in answers] == lines
    assert [answer["intent"]["name"] for answer in answers] == [
        "greet",
        "nlu_fallback",
        "book_meeting",
        "crisis",
    ]
    assert answers[2]["entities"][0]["value"] == "2026-11-24T10:00:00+01:00"


@pytest.mark.usefixtures("cli_env")
def test_parse_refuses_a_reference_time_that_is_not_iso() -> None:
    result = runner.invoke(app, ["nlu", "parse", "--now", "tomorrow-ish"], input="hej\n")
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr


def test_train_writes_a_model_and_reports_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlu", "train", "--out", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    assert f"{len(INTENTS)} intents" in result.stdout
    assert (tmp_path / "model" / "model.npz").is_file()


def test_train_names_a_missing_data_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlu", "train", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "nowhere" in result.stderr


def test_test_writes_the_report_the_errors_and_the_confusion_matrix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlu", "test", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "intent_report.json").read_text())
    assert {"precision", "recall", "f1-score", "support"} <= set(report["crisis"])
    assert report["crisis"]["recall"] == 1.0
    assert report["macro avg"]["f1-score"] >= 0.9
    errors = json.loads((tmp_path / "intent_errors.json").read_text())
    assert all(error["intent"] != error["intent_prediction"]["name"] for error in errors)
    assert (tmp_path / "intent_confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"


def test_cross_validation_runs_over_the_folds(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["nlu", "test", "--cross-validation", "--folds", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "intent_report.json").read_text())
    assert report["macro avg"]["support"] == report["weighted avg"]["support"] > 1000


def test_the_parse_endpoint_answers_in_rasas_shape(client: TestClient) -> None:
    response = client.post(
        "/nlu/parse",
        json={
            "text": "kan jeg flytte min tid til fredag kl 14",
            "now": "2026-11-23T09:12:00+01:00",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["intent"]["name"] == "reschedule_meeting"
    assert body["entities"][0]["entity"] == "time"
    assert body["entities"][0]["value"] == "2026-11-27T14:00:00+01:00"
    assert body["intent_ranking"][0] == body["intent"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"text": 42}, 422),
        ({"text": "   "}, 422),
        ({"text": "hej", "now": "not a time"}, 422),
        ({"text": "hej", "now": "2026-11-23T09:12:00"}, 422),  # no time zone
        ({"text": "x" * 5000}, 422),
    ],
)
def test_the_parse_endpoint_refuses_bad_input_clearly(
    client: TestClient, body: dict[str, object], status: int
) -> None:
    response = client.post("/nlu/parse", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"]
