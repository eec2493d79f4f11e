"""Django's JSON serialization, without its rounding of instants.

Django's JSON encoder cuts datetimes and times to the millisecond, so a
backup loaded back would not give the same rows. This format (registered as
``exactjson`` in ``SERIALIZATION_MODULES``) writes them whole; it reads like
Django's JSON.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers import json
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()  # type: ignore[misc]


Deserializer = json.Deserializer
