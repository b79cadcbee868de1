"""The newsletter's own headers name the operator's sending domain, not a fixed one."""

from __future__ import annotations

from booking.newsletter.mails import unsubscribe_headers
from booking.settings import Settings

URL = "https://buchung.bezreg.example/newsletter/abmelden/abc"


def test_the_headers_name_the_address_and_domain_mail_comes_from() -> None:
    settings = Settings(mail_from="Netzwerk NRW <post@praevention.bezreg.example>")
    headers = unsubscribe_headers(settings, URL)
    assert (
        headers["List-Id"] == "Newsletter #sicherimDienst <newsletter.praevention.bezreg.example>"
    )
    assert headers["List-Unsubscribe"].startswith(
        f"<{URL}>, <mailto:post@praevention.bezreg.example?subject=Newsletter%20abbestellen%20"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
