from __future__ import annotations

from booking.core.logtext import clean, escape_controls


def test_control_characters_cannot_fake_a_line() -> None:
    assert (
        escape_controls("a\nb\r\x1b[31mc\x00\x7f\u2028")
        == "a\\x0ab\\x0d\\x1b[31mc\\x00\\x7f\\u2028"
    )
    assert escape_controls("Größe – ok") == "Größe – ok"


def test_addresses_are_left_out_and_long_text_is_cut() -> None:
    text = "550 5.1.1 <erika.muster@stadt-muenster.de>: Recipient address rejected"
    assert clean(text) == "550 5.1.1 <[address]>: Recipient address rejected"
    assert clean("x" * 600).endswith("…") and len(clean("x" * 600)) == 501
