"""The formatting node: locale formats from CLDR, money rounded half-up to the currency's
minor unit, dates in the merchant's time zone."""

import pytest

from nodes.kit import registry
from nodes.kit.base import UserError
from tests.nodes.flows import run_flow

NBSP = "\u00a0"
SPEC = registry.get("core.format", 1)


def fmt(**params):
    return SPEC.run(None, params, None)


@pytest.mark.parametrize(
    ("locale", "value", "text", "exact"),
    [
        ("de_DE", "1234.5", f"1.234,50{NBSP}€", "1234.50"),
        ("en_US", 1234.5, "€1,234.50", "1234.50"),
        ("de_DE", "2.675", f"2,68{NBSP}€", "2.68"),  # half up; a float gives 2.67
        ("de_DE", "-0.005", f"-0,01{NBSP}€", "-0.01"),
        ("de_DE", "1234,5", f"1.234,50{NBSP}€", "1234.50"),  # a German decimal comma
        ("de_DE", 0, f"0,00{NBSP}€", "0.00"),
    ],
)
def test_money_in_euro(locale, value, text, exact):
    assert fmt(kind="money", value=value, locale=locale, currency="EUR") == {
        "text": text,
        "value": exact,
    }


def test_money_uses_the_currencys_minor_unit_and_refuses_unknown_codes():
    assert fmt(kind="money", value="1234.5", currency="JPY", locale="en_US") == {
        "text": "¥1,235",
        "value": "1235",
    }
    with pytest.raises(UserError) as error:
        fmt(kind="money", value="1", currency="XYZ")
    assert error.value.field == "currency"


def test_numbers_keep_big_integers_exact():
    assert fmt(kind="number", value=820982911946154508, decimals=0, locale="de_DE") == {
        "text": "820.982.911.946.154.508",
        "value": "820982911946154508",
    }
    assert fmt(kind="number", value="0.125", decimals=2, locale="en_GB")["text"] == "0.13"


def test_dates_in_the_merchants_time_zone_in_german_and_english():
    summer = "2026-07-01T23:30:00Z"  # already 2 July in Berlin
    assert fmt(kind="date", value=summer, date_style="long", locale="de_DE") == {
        "text": "2. Juli 2026",
        "value": "2026-07-02T01:30:00+02:00",
    }
    assert fmt(kind="date", value=summer, date_style="full", locale="en_GB")["text"] == (
        "Thursday, 2 July 2026"
    )
    winter = fmt(kind="date", value="2026-01-15T10:00:00Z", pattern="dd.MM.yyyy HH:mm")
    assert winter["text"] == "15.01.2026 11:00"
    tokyo = fmt(kind="date", value=0, timezone="Asia/Tokyo", with_time=True, locale="en_US")
    assert tokyo["value"] == "1970-01-01T09:00:00+09:00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "money", "value": "zwölf"}, "value"),
        ({"kind": "date", "value": "morgen"}, "value"),
        ({"kind": "date", "value": "2026-01-01", "timezone": "Europe/Atlantis"}, "timezone"),
    ],
)
def test_bad_values_name_the_field(params, field):
    with pytest.raises(UserError) as error:
        fmt(**params)
    assert error.value.field == field


def test_format_in_a_flow_on_real_redis(api, client, run_queue):
    execution = run_flow(
        api,
        client,
        run_queue,
        {"total_price": "1234.50", "created_at": "2026-03-01T09:15:00-05:00"},
        {
            "id": "total",
            "type": "core.format",
            "params": {"kind": "money", "locale": "de_DE", "currency": "EUR"},
            "mapping": {"value": "trigger.total_price"},
        },
        {
            "id": "date",
            "type": "core.format",
            "params": {"kind": "date", "locale": "de_DE", "date_style": "medium"},
            "mapping": {"value": "trigger.created_at"},
        },
        {
            "id": "line",
            "type": "core.set",
            "params": {"values": {"text": "{{ steps.date.text }}: {{ steps.total.text }}"}},
        },
    )
    assert execution["status"] == "succeeded", execution["error"]
    assert execution["steps"]["line"]["output"] == {"text": f"01.03.2026: 1.234,50{NBSP}€"}
