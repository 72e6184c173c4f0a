"""When a schedule fires: cron expressions or fixed intervals, in the merchant's time zone.

Pure time arithmetic, no clock and no database: the caller passes "now". A schedule is the
``schedule`` part of a trigger's params::

    {"cron": "0 8 * * 1-5", "timezone": "Europe/Berlin"}   # weekdays at 8:00 Berlin time
    {"interval_minutes": 15}                                 # every 15 minutes

Cron fields are read in the schedule's time zone, so "0 8 * * *" is 8:00 in Berlin in winter
and in summer. Intervals count from the Unix epoch, so every 15 minutes means :00, :15, :30
and :45, the same on every machine and after every restart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

DEFAULT_TIMEZONE = "Europe/Berlin"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SCHEDULE_SCHEMA = {
    "type": "object",
    "format": "schedule",  # checked on save by nodes.engine.validation with problems() below
    "title": "When",
    "additionalProperties": False,
    "properties": {
        "cron": {
            "type": "string",
            "format": "cron",
            "title": "Cron expression",
            "description": "Minute, hour, day of month, month, weekday, e.g. 0 8 * * 1-5 for "
            "weekdays at 8:00.",
        },
        "interval_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 44640,
            "title": "Or every … minutes",
        },
        "timezone": {
            "type": "string",
            "format": "timezone",
            "title": "Time zone",
            "default": DEFAULT_TIMEZONE,
        },
    },
}


class ScheduleError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def timezone_of(schedule: dict[str, Any]) -> ZoneInfo:
    name = schedule.get("timezone") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        raise ScheduleError(
            "timezone", f'"{name}" is not a time zone; use a name like Europe/Berlin.'
        ) from None


def problems(schedule: dict[str, Any]) -> list[ScheduleError]:
    """Everything wrong with a schedule, for the validator (empty when it can run)."""
    found = []
    has_cron, has_interval = "cron" in schedule, "interval_minutes" in schedule
    if has_cron == has_interval:
        found.append(
            ScheduleError("cron", "Give either a cron expression or an interval in minutes.")
        )
    cron = schedule.get("cron")
    if has_cron and not (
        isinstance(cron, str) and len(cron.split()) == 5 and croniter.is_valid(cron)
    ):
        found.append(
            ScheduleError(
                "cron",
                f'"{cron}" is not a cron expression: it needs five fields, '
                "minute hour day month weekday, e.g. 0 8 * * 1-5.",
            )
        )
    try:
        timezone_of(schedule)
    except ScheduleError as error:
        found.append(error)
    return found


def _checked(schedule: dict[str, Any]) -> ZoneInfo:
    if found := problems(schedule):
        raise found[0]
    return timezone_of(schedule)


def next_ticks(schedule: dict[str, Any], after: datetime, count: int = 5) -> list[datetime]:
    """The next ``count`` times the schedule fires after ``after``, in its time zone."""
    zone = _checked(schedule)
    if "interval_minutes" in schedule:
        step = timedelta(minutes=schedule["interval_minutes"])
        first = EPOCH + ((after - EPOCH) // step + 1) * step
        return [(first + i * step).astimezone(zone) for i in range(count)]
    try:
        ticks = croniter(schedule["cron"], after.astimezone(zone))
        return [ticks.get_next(datetime) for _ in range(count)]
    except CroniterBadDateError:  # e.g. 30 February: it never fires
        return []


def latest_tick(schedule: dict[str, Any], now: datetime) -> datetime | None:
    """The last time at or before ``now`` that the schedule fired, in its time zone."""
    zone = _checked(schedule)
    if "interval_minutes" in schedule:
        step = timedelta(minutes=schedule["interval_minutes"])
        return (EPOCH + ((now - EPOCH) // step) * step).astimezone(zone)
    try:
        # croniter's get_prev is strictly before its start: start a second later, so a tick
        # exactly at ``now`` counts.
        return croniter(schedule["cron"], (now + timedelta(seconds=1)).astimezone(zone)).get_prev(
            datetime
        )
    except (CroniterBadDateError, CroniterBadCronError):
        return None
