from __future__ import annotations

import secrets

import pytest

from booking.core.text import LINE_BREAKS, URLSAFE_TOKEN, has_control_characters


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n"])
def test_control_characters_are_found(char: str) -> None:
    assert has_control_characters(f"Polizei{char}präsidium")


@pytest.mark.parametrize("text", ["Çelik – Straße 1", "\xa0geschützt", "مرحبا", "🙂", ""])
def test_ordinary_text_has_none(text: str) -> None:
    assert not has_control_characters(text)


def test_line_breaks_may_be_allowed_and_nul_never() -> None:
    assert not has_control_characters("Zeile 1\r\nZeile 2\tEnde", allowed=LINE_BREAKS)
    assert has_control_characters("Zeile 1\nZeile\x002", allowed=LINE_BREAKS)


def test_a_verification_code_is_what_token_urlsafe_gives() -> None:
    assert URLSAFE_TOKEN.fullmatch(secrets.token_urlsafe(16))
    for wrong in ("kurz", "a" * 41, "abcdefghij\x00", "abcdefghij klm", "äbcdefghijk"):
        assert not URLSAFE_TOKEN.fullmatch(wrong), wrong
