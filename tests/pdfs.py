"""Reading rendered PDFs back in tests: their text per page (pypdf) and their pages as images
(pdftoppm from Debian's poppler-utils, skipped with the reason when it is missing)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def render_page(data: bytes, tmp_path: Path, *, page: int = 1, dpi: int = 150) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm fehlt (Debian-Paket poppler-utils, make poppler)")
    source = tmp_path / "document.pdf"
    source.write_bytes(data)
    target = tmp_path / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(source), str(target)],
        check=True,
    )
    with Image.open(target.with_suffix(".png")) as image:
        return image.convert("L")
