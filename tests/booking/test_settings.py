from __future__ import annotations

import pytest

from booking.settings import Settings


def test_no_proxy_is_believed_unless_named() -> None:
    assert Settings.from_env({"SECRET_KEY": "x" * 40}).forwarded_allow_ips == ()


def test_proxies_are_addresses_networks_or_everyone() -> None:
    env = {"SECRET_KEY": "x" * 40, "FORWARDED_ALLOW_IPS": " 10.0.0.5, 10.1.0.0/16,::1 "}
    assert Settings.from_env(env).forwarded_allow_ips == ("10.0.0.5", "10.1.0.0/16", "::1")
    env["FORWARDED_ALLOW_IPS"] = "*"
    assert Settings.from_env(env).forwarded_allow_ips == ("*",)


def test_a_proxy_that_is_no_address_is_refused() -> None:
    with pytest.raises(ValueError, match="FORWARDED_ALLOW_IPS"):
        Settings.from_env({"SECRET_KEY": "x" * 40, "FORWARDED_ALLOW_IPS": "proxy.example"})
