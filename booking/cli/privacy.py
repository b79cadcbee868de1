"""``sid privacy retention``: every retention rule in German, from the settings."""

from __future__ import annotations

import argparse

from booking.cli.base import settings_from_env
from booking.privacy import messages
from booking.privacy.rules import rules


def privacy_retention(args: argparse.Namespace) -> int:
    for rule in rules(settings_from_env().retention):
        print(rule.what)
        print(messages.RULE_PERIOD.format(period=rule.period))
        print(messages.RULE_THEN.format(then=rule.then))
        print(messages.RULE_BY_JOB if rule.job else messages.RULE_NOT_BY_JOB)
        print()
    return 0
