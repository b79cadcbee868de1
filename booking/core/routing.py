"""The ``{name:id}`` path convertor: a database id of at most nine digits.

Larger numbers would overflow the databases' integer columns; with this convertor they
simply do not match, and the client gets a 404 like for any other unknown id.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 999_999_999


class IdConvertor(Convertor[int]):
    regex = "[0-9]{1,9}"  # up to MAX_ID

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())
