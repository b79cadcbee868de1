"""organisation sectors as the network has them

Adds the sectors soziales, rettungsdienst and thw; feuerwehr now means the fire brigade alone.
Organisations keep their sector. An event that was open to "Feuerwehr und Rettungsdienst"
stays open to the rescue service: it gets rettungsdienst beside feuerwehr.

Revision ID: 0005
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("verwaltung", "schule", "gesundheit", "polizei", "feuerwehr", "justiz", "hochschule")
NEW = (
    "verwaltung",
    "soziales",
    "schule",
    "hochschule",
    "gesundheit",
    "polizei",
    "feuerwehr",
    "rettungsdienst",
    "thw",
    "justiz",
)
BACK = {"soziales": "verwaltung", "rettungsdienst": "feuerwehr", "thw": "feuerwehr"}
"""Where a new sector goes on the way down: the old sector that covered it."""


def _check(keys: Sequence[str]) -> str:
    return "sector IN ({})".format(", ".join(f"'{key}'" for key in keys))


def _replace_check(keys: Sequence[str]) -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_sector"), type_="check")
        batch_op.create_check_constraint(op.f("ck_organisations_sector"), _check(keys))


def upgrade() -> None:
    _replace_check(NEW)
    op.execute(
        sa.text(
            "INSERT INTO event_sectors (event_id, sector) "
            "SELECT event_id, 'rettungsdienst' FROM event_sectors WHERE sector = 'feuerwehr' "
            "AND event_id NOT IN "
            "(SELECT event_id FROM event_sectors WHERE sector = 'rettungsdienst')"
        )
    )


def downgrade() -> None:
    for new, old in BACK.items():
        op.execute(sa.text(f"UPDATE organisations SET sector = '{old}' WHERE sector = '{new}'"))
        op.execute(
            sa.text(
                f"DELETE FROM event_sectors WHERE sector = '{new}' AND event_id IN "
                f"(SELECT event_id FROM event_sectors WHERE sector = '{old}')"
            )
        )
        op.execute(sa.text(f"UPDATE event_sectors SET sector = '{old}' WHERE sector = '{new}'"))
    _replace_check(OLD)
