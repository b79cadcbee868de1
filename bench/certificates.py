"""Rendering the certificates of a conference: 120 participants, each with their own name,
number and verification address. Renders them one after another in this process, then in a
pool of threads (as the app does, off the event loop; fpdf2 is pure Python, so threads share one
core under the GIL), and prints the time for all and the size of the largest PDF. Target on the
project's machine (2 cores): 120 in under 2 s, each under 100 KB. Not a test: it prints.

    .venv/bin/python bench/certificates.py [--count 120] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from courses.certificates.pdf import CertificateText, render_certificate

FIRST = ("Ayşe", "Małgorzata", "Jürgen", "İsmail", "Zoë", "Łukasz", "Björn", "Şükrü", "Grażyna")
LAST = ("Öztürk", "Wiśniewska", "Großmann", "Kılıç", "Müller-Lüdenscheidt", "Ślązak", "Çelik")


def texts(count: int) -> list[CertificateText]:
    return [
        CertificateText(
            number=f"SID-2027-{i + 1:06d}",
            participant=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}",
            course_title="Fachtag Sicherheit im öffentlichen Dienst 2027",
            course_code=None,
            dates="Do., 23.09.2027",
            units_attended=6 if i % 10 else 3,
            units_offered=6,
            partial_note=None if i % 10 else "teilgenommen am Vormittag, 3 von 6 UE",
            content=(
                "Vortrag: Übergriffe auf Beschäftigte – Lagebild NRW",
                "Workshop nach Wahl: Deeskalation, Eigensicherung oder Nachsorge",
                "Austausch der Netzwerkpartner",
            ),
            trainers=("Dr. Jürgen Großmann", "Małgorzata Żółć"),
            place="Gelsenkirchen",
            issued_on=date(2027, 9, 24),
            verify_url=f"https://sicherimdienst.example/bescheinigungen/pruefen/{i:020x}",
        )
        for i in range(count)
    ]


def measure(name: str, run: Callable[[], list[bytes]]) -> None:
    started = time.perf_counter()
    pdfs = run()
    elapsed = time.perf_counter() - started
    sizes = [len(pdf) for pdf in pdfs]
    each = elapsed / len(pdfs) * 1000
    print(
        f"{name:<12} {len(pdfs)} PDFs in {elapsed:.2f} s ({each:.1f} ms each);"
        f" size median {statistics.median(sizes) / 1024:.1f} KB, largest {max(sizes) / 1024:.1f} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    batch = texts(args.count)
    render_certificate(batch[0])  # imports and first-use caches, not counted

    measure("sequential", lambda: [render_certificate(text) for text in batch])
    with ThreadPoolExecutor(args.threads) as pool:
        measure(f"{args.threads} threads", lambda: list(pool.map(render_certificate, batch)))


if __name__ == "__main__":
    main()
