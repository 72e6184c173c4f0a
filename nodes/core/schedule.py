"""The schedule trigger: start the flow at set times, e.g. every weekday at 8:00 Berlin time."""

from __future__ import annotations

from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.kit.base import NodeContext
from nodes.kit.registry import node

SCHEDULED_OUTPUT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "scheduled_at": {
            "type": "string",
            "description": "The planned time of this run, ISO 8601 in the schedule's zone.",
        },
        "timezone": {"type": "string"},
    },
}


@node(
    "core.schedule",
    kind="trigger",
    title={"en": "Schedule", "de": "Zeitplan"},
    description={
        "en": "Starts the flow at set times: a cron expression such as 0 8 * * 1-5 (weekdays "
        "at 8:00) or every so many minutes, in your time zone (Europe/Berlin unless you "
        "choose another; summer time included). Each planned time starts exactly one run, "
        "even if several schedulers are running. After downtime, a missed time is made up "
        "once, not once per missed time. The editor shows the next run times. Example output: "
        '{"scheduled_at": "2026-03-02T08:00:00+01:00", "timezone": "Europe/Berlin"}.',
        "de": "Startet den Ablauf zu festen Zeiten: ein Cron-Ausdruck wie 0 8 * * 1-5 "
        "(werktags um 8:00) oder alle so und so viele Minuten, in Ihrer Zeitzone "
        "(Europe/Berlin, wenn Sie keine andere wählen; mit Sommerzeit). Jeder geplante "
        "Zeitpunkt startet genau einen Lauf, auch wenn mehrere Planer laufen. Nach einem "
        "Ausfall wird ein verpasster Zeitpunkt einmal nachgeholt, nicht jeder einzeln. Der "
        "Editor zeigt die nächsten Zeitpunkte. Beispielausgabe: "
        '{"scheduled_at": "2026-03-02T08:00:00+01:00", "timezone": "Europe/Berlin"}.',
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["schedule"],
        "properties": {"schedule": SCHEDULE_SCHEMA},
    },
    output_schema=SCHEDULED_OUTPUT,
    output_example={"scheduled_at": "2026-03-02T08:00:00+01:00", "timezone": "Europe/Berlin"},
)
def schedule(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
