"""Calendar feeds (RFC 5545): conferences as events, with no patient data. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText

PRODID = "-//TumorBoard//Conference calendar//EN"


@dataclass(frozen=True)
class FeedEvent:
    """One conference as a calendar sees it: counts and links only."""

    uid: str
    summary: str
    starts_at: datetime  # aware
    duration_minutes: int
    timezone: str
    place: str
    video_link: str
    case_count: int
    url: str
    cancelled: bool
    sequence: int
    changed_at: datetime


def calendar_bytes(name: str, events: list[FeedEvent], now: datetime) -> bytes:
    """The feed: one VEVENT per conference, the series' VTIMEZONEs, STATUS:CANCELLED for cancelled ones."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(name))  # an X- property is written raw unless typed: a line break would end it
    for item in events:
        zone = ZoneInfo(item.timezone)
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("last-modified", item.changed_at)
        event.add("sequence", item.sequence)
        event.add("summary", item.summary)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", (item.starts_at + timedelta(minutes=item.duration_minutes)).astimezone(zone))
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.place:
            event.add("location", item.place)
        event.add("url", item.url)
        lines = [f"{item.case_count} case{'s' if item.case_count != 1 else ''} on the agenda.", f"Agenda: {item.url}"]
        if item.video_link:
            lines.append(f"Video: {item.video_link}")
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
