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


def test_retention_comes_with_the_stated_defaults_and_can_be_set() -> None:
    rules = Settings.from_env({}).retention
    assert (rules.sent_mail_days, rules.booking_months, rules.certificate_years) == (90, 24, 10)
    assert (rules.inactive_months, rules.inactive_grace_days, rules.audit_months) == (36, 30, 24)
    changed = Settings.from_env({"RETENTION_SENT_MAIL_DAYS": "30"}).retention
    assert changed.sent_mail_days == 30 and changed.booking_months == 24
    for bad in ("0", "-5", "zwei", "1.5"):
        with pytest.raises(ValueError, match="RETENTION_SENT_MAIL_DAYS"):
            Settings.from_env({"RETENTION_SENT_MAIL_DAYS": bad})


def test_the_sender_address_and_domain_come_from_mail_from() -> None:
    named = Settings(mail_from="Netzwerk NRW <post@praevention.bezreg.example>")
    bare = Settings(mail_from="post@praevention.bezreg.example")
    for settings in (named, bare):
        assert settings.mail_address == "post@praevention.bezreg.example"
        assert settings.mail_domain == "praevention.bezreg.example"
