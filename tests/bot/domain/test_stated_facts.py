"""The privacy notice and the sick-notice rule take their facts from config, as configured."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.stated_facts import notice_params, privacy_facts, sick_notice_rule
from bot.kernel.errors import ConfigError
from bot.runtime.config import Settings, load_config
from flows.types import SickNoticeRule


def _settings(**env: str) -> Settings:
    return load_config(env={"DATABASE_URL": "sqlite://", **env}).settings


def test_the_facts_are_the_configured_ones() -> None:
    settings = _settings(
        BORGERCHAT_PRIVACY__CONTROLLER="Testby Kommune",
        BORGERCHAT_PRIVACY__RETENTION__ABSENCE_NOTICES="200",
        BORGERCHAT_SERVER__PUBLIC_URL="https://chat.testby.example",
    )
    facts = privacy_facts(settings)
    assert facts.controller == "Testby Kommune"
    assert facts.absence_notices_days == 200
    assert facts.notice_url == "https://chat.testby.example/privacy"
    assert notice_params(settings)["absence_notices"] == "200"


def test_the_shipped_controller_is_marked_as_demo() -> None:
    assert "(demo)" in _settings().privacy.controller


def test_the_sick_notice_rule_is_chat_or_phone_before_a_time() -> None:
    assert sick_notice_rule(_settings()) == SickNoticeRule()
    phone = _settings(
        BORGERCHAT_JOBCENTER__SICK_NOTICE="phone",
        BORGERCHAT_JOBCENTER__SICK_PHONE="33 66 33 66",
        BORGERCHAT_JOBCENTER__SICK_PHONE_BEFORE="08:30",
    )
    assert sick_notice_rule(phone) == SickNoticeRule("33 66 33 66", time(8, 30))


def test_an_unknown_sick_notice_rule_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match=r"jobcenter\.sick_notice"):
        _settings(BORGERCHAT_JOBCENTER__SICK_NOTICE="letter")
