"""A call's deadline as an iCalendar file (RFC 5545), so that an
organisation can put it in its own calendar with a reminder the day before."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from solidaire.calls.models import Call

PRODID = "-//Solidaire//Appels d'initiatives//FR"
REMINDER_BEFORE = timedelta(days=1)


def deadline_uid(call: Call, host: str) -> str:
    """Stable across downloads, so that a calendar that imports the file
    twice updates the event instead of doubling it."""
    return f"echeance-{call.programme.slug}-{call.number}@{host}"


def deadline_calendar(*, call: Call, url: str, host: str, now: datetime) -> bytes:
    """One event at the closing instant (in UTC, which every calendar reads
    the same way) with a display reminder a day before."""
    summary = _("Deadline: call %(number)s — %(title)s") % {
        "number": call.number,
        "title": call.title,
    }
    event = Event()
    event.add("uid", deadline_uid(call, host))
    event.add("dtstamp", now)
    event.add("dtstart", call.closes_at)
    event.add("summary", summary)
    event.add(
        "description",
        _("Proposals are accepted until this instant. Details: %(url)s") % {"url": url},
    )
    event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -REMINDER_BEFORE)
    alarm.add("description", summary)
    event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
