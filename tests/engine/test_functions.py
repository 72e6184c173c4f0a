"""The expression functions: every documented example holds, money is exact, dates keep their
offsets, and bad input fails with the function's name instead of a silent null."""

import json
import re
import uuid

import pytest

from nodes.engine.functions import BUILTINS, REGISTRY, JMESPathFunctions, catalog
from nodes.engine.mapping import FieldMappingError, MappingError, apply_mapping, evaluate

IMPURE = {"now", "uuid", "today"}
SCOPE = {"trigger": {"note": None, "total": "19.99", "qty": 3, "id": 820982911946154508}}


@pytest.mark.parametrize("name", sorted((set(REGISTRY) | set(BUILTINS)) - IMPURE))
def test_every_documented_example_gives_the_documented_result(name):
    entry = REGISTRY.get(name) or BUILTINS[name]
    assert evaluate(entry.example, SCOPE) == json.loads(entry.result)


def test_every_function_is_documented_in_german_and_english():
    for described in catalog():
        assert described["description"]["de"] and described["description"]["en"]
        assert described["signature"].startswith(described["name"] + "(")
        assert described["name"] in described["example"]


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("2.675", "2.68"),  # a float would give 2.67
        (2.675, "2.68"),
        ("1.005", "1.01"),
        ("-1.005", "-1.01"),  # half up means away from zero, as on invoices
        ("0.004", "0.00"),
        ("1234,5", "1234.50"),
        (1, "1.00"),
        ("99999999999999999999.995", "100000000000000000000.00"),
    ],
)
def test_round_money_rounds_half_up_to_cents_without_float_errors(value, rounded):
    assert evaluate("round_money(@)", value) == rounded


def test_decimal_sums_and_products_are_exact():
    assert evaluate("sum_decimal(@)", [0.1, 0.2]) == "0.3"
    assert evaluate("sum_decimal(@)", []) == "0"
    big = "12345678901234567890.12"  # beyond Python's default 28 digits once tripled
    assert evaluate("multiply_decimal(@, `3`)", big) == "37037036703703703670.36"
    assert evaluate("round_money(@)", "12345678901234567890123456789.125") == (
        "12345678901234567890123456789.13"
    )
    with pytest.raises(MappingError, match="small enough to compute exactly"):
        evaluate("multiply_decimal(@, @)", "1." + "0" * 40 + "1")  # 83 digits: too many
    assert evaluate("round_money(multiply_decimal(trigger.total, trigger.qty))", SCOPE) == "59.97"


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", "1e999999"])
def test_a_value_that_is_not_a_number_names_the_function(bad):
    with pytest.raises(MappingError, match=r"round_money\(\): .* is not a"):
        evaluate("round_money(@)", bad)


def test_dates_keep_their_offset_and_convert_across_summer_time():
    assert evaluate("in_timezone(@, 'Europe/Berlin')", "2026-01-15T10:00:00Z") == (
        "2026-01-15T11:00:00+01:00"
    )
    assert evaluate("in_timezone(@, 'Europe/Berlin')", "2026-07-15T10:00:00+00:00") == (
        "2026-07-15T12:00:00+02:00"
    )
    # A Shopify timestamp with its own offset is one moment, whatever zone it is written in.
    assert evaluate("in_timezone(@, 'UTC')", "2026-03-01T10:00:00-05:00") == (
        "2026-03-01T15:00:00+00:00"
    )
    assert evaluate("format_date(in_timezone(@, 'Europe/Berlin'), '%d.%m.%Y %H:%M')", 0) == (
        "01.01.1970 01:00"
    )


def test_text_without_offset_is_utc_and_bad_dates_and_zones_are_named():
    assert evaluate("to_date(@)", "2026-03-01") == "2026-03-01T00:00:00+00:00"
    with pytest.raises(MappingError, match=r"to_date\(\): '01/03/2026' is not a date"):
        evaluate("to_date(@)", "01/03/2026")
    with pytest.raises(MappingError, match=r"in_timezone\(\): 'Mars/Base' is not a time zone"):
        evaluate("in_timezone(@, 'Mars/Base')", "2026-03-01T10:00:00Z")
    with pytest.raises(MappingError, match="in the format"):
        evaluate("parse_date(@, '%d.%m.%Y')", "2026-03-01")


def test_text_functions_handle_unicode():
    assert evaluate("upper(@)", "Müller") == "MÜLLER"
    assert evaluate("trim(@)", "\u00a0Zoë\n") == "Zoë"
    assert evaluate("split(@, '·')", "a·b") == ["a", "b"]
    with pytest.raises(MappingError, match="non-empty separator"):
        evaluate("split(@, '')", "a")


def test_default_fills_missing_data_so_the_mapping_does_not_fail():
    assert apply_mapping({}, {"note": "default(trigger.note, '-')"}, SCOPE) == {"note": "-"}
    assert apply_mapping({}, {"id": "default(trigger.id, `0`)"}, SCOPE) == {
        "id": 820982911946154508
    }
    with pytest.raises(FieldMappingError, match="found no value"):
        apply_mapping({}, {"note": "trigger.note"}, SCOPE)


def test_now_and_uuid_are_fresh_on_every_call():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*\+00:00", evaluate("now()", {}))
    first, second = evaluate("[uuid(), uuid()]", {})
    assert first != second and uuid.UUID(first).version == 4


def test_an_unknown_function_is_reported():
    with pytest.raises(MappingError, match="Unknown function: eval"):
        evaluate("eval('1')", {})


def test_the_api_serves_the_registry(api):
    reply = api.get("/api/functions")
    assert reply.status_code == 200
    names = [f["name"] for f in reply.get_json()["functions"]]
    assert names == sorted(names)
    # Every function an expression can call is listed, JMESPath's own included.
    assert set(names) == set(JMESPathFunctions().FUNCTION_TABLE)
    assert {"round_money", "to_number", "join", "contains"} <= set(names)


def test_a_missing_value_where_a_function_wants_text_reads_as_a_sentence():
    with pytest.raises(MappingError) as missing:
        evaluate("join(' ', [trigger.first, trigger.last])", {"trigger": {"last": "Snow"}})
    assert missing.value.message.startswith(
        "join() needs a list of texts, but a value in the list is missing (null)."
    )
    with pytest.raises(MappingError) as null_text:
        evaluate("lower(trigger.note)", SCOPE)
    assert null_text.value.message.startswith("lower() needs text, but the value is missing")
    for jargon in ("NoneType", "array-string", "invalid type"):
        assert jargon not in missing.value.message + null_text.value.message


def test_a_bare_number_asks_for_backticks_and_text_compared_with_a_number_says_how():
    with pytest.raises(MappingError, match=r"a number is written in backticks, e.g. `0`"):
        evaluate("input.total > 0", {})
    with pytest.raises(MappingError, match=r"to_number\(input.total\) > `0`"):
        evaluate("input.total > `0`", {"input": {"total": "403.00"}})
    assert evaluate("to_number(input.total) > `0`", {"input": {"total": "403.00"}}) is True


def test_the_preview_uses_the_functions(api):
    reply = api.post(
        "/api/mappings/preview",
        json={"expression": "round_money(trigger.total)", "scope": {"trigger": {"total": 2.675}}},
    )
    assert reply.get_json()["result"] == "2.68"
