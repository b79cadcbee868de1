"""The parts of the hostile-input probe (tests/test_hostile.py). Nothing here knows a
particular route: routes come from the app, fields from its pages and its OpenAPI document."""
