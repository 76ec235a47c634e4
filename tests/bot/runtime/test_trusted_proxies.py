"""``inbox.trusted_proxies``: empty unless set, and only IP addresses or networks."""

from __future__ import annotations

import pytest

from bot.kernel.errors import ConfigError
from bot.runtime.config import load_config


def test_no_proxy_is_trusted_unless_configured() -> None:
    assert load_config(env={}).settings.inbox.trusted_proxies == []
    configured = load_config(
        env={"BORGERCHAT_INBOX__TRUSTED_PROXIES": '["10.0.0.2", "192.168.0.0/16", "::1"]'}
    )
    assert configured.settings.inbox.trusted_proxies == ["10.0.0.2", "192.168.0.0/16", "::1"]


@pytest.mark.parametrize("value", ["proxy.example", "*", "10.0.0.300"])
def test_a_proxy_that_is_no_address_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env={"BORGERCHAT_INBOX__TRUSTED_PROXIES": f'["{value}"]'})
    assert caught.value.key.startswith("inbox.trusted_proxies")
