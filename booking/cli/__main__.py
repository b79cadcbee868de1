"""``python -m booking.cli``: the same as the ``sid`` command."""

from booking.cli import main

raise SystemExit(main())
