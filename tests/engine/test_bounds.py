"""A template or expression cannot take a worker's time or memory: each is stopped with a
sentence the merchant can act on, and the process goes on."""

import threading

import pytest

from nodes.engine import bounds
from nodes.engine.mapping import MappingError, evaluate
from nodes.engine.templating import TemplateError, render

SCOPE = {"trigger": {"a": "x"}, "input": None, "steps": {}, "flow": {}, "now": ""}


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(bounds, "SECONDS", 0.3)
    monkeypatch.setattr("nodes.engine.templating.SECONDS", 0.3)
    monkeypatch.setattr("nodes.engine.mapping.SECONDS", 0.3)


def test_a_nested_loop_in_a_template_is_stopped_and_the_next_render_works(short_limit):
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError, match="took longer than 0.3 seconds"):
        render(loop, SCOPE)
    assert render("{{ trigger.a }}", SCOPE) == "x"


def test_the_time_limit_holds_in_any_thread(short_limit):
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    errors = []

    def preview():
        try:
            render(loop, SCOPE)
        except TemplateError as error:
            errors.append(error.message)

    thread = threading.Thread(target=preview)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and "took longer" in errors[0]


@pytest.mark.parametrize(
    "template",
    [
        "{{ ('x' * 10000) * 10000 }}",
        "{{ '%100000000d' % 1 }}",
        "{{ '%*d' % (100000000, 1) }}",
        "{{ '{:>100000000}'.format(1) }}",
        "{{ '%100000000d' | format(1) }}",
        "{{ 'x' | center(100000000) }}",
        "{{ 'x'.ljust(100000000) }}",
        "{{ ('x' * 10000).replace('x', 'y' * 10000) }}",
        "{{ ['x' * 100000] * 100 | join }}",
        "{{ (['x' * 100000] * 100) | join }}",
        "{% set a = 'x' * 600000 %}{{ a ~ a }}",
        "{{ (10 ** 100) ** 100 }}",
        "{{ 1 << 100000000 }}",
        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
    ],
)
def test_no_template_builds_a_value_past_the_bounds(template):
    with pytest.raises(TemplateError, match="placeholder|text grows|power"):
        render(template, SCOPE)


def test_lipsum_and_changing_lists_are_not_offered():
    with pytest.raises(TemplateError):
        render("{{ lipsum(100000) }}", SCOPE)
    with pytest.raises(TemplateError):
        render("{% set l = [] %}{{ l.append(1) }}", SCOPE)


def test_templates_within_the_bounds_still_work():
    assert render("{{ '%05d' % 42 }} {{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 'a' ~ 'b' }}", SCOPE) == (
        "00042 ababab 1024 ab"
    )
    assert render("{{ 'x' | center(5) }}|{{ ['a', 'b'] | join(',') }}", SCOPE) == "  x  |a,b"


def test_a_doubling_expression_fails_with_a_sentence_instead_of_a_huge_result():
    expression = "trigger.a" + " | [@, @]" * 24
    with pytest.raises(MappingError, match="larger than 8 MB"):
        evaluate(expression, SCOPE)
    assert evaluate("trigger.a | [@, @]", SCOPE) == ["x", "x"]


def test_a_long_template_with_unclosed_placeholders_still_gets_its_error_at_once():
    # 100 KB of openings without a closing: a lazy regex tried each opening to the end
    openings = "{{ " * 33_000
    source = f"{{% raw %}}{openings}{{% endraw %}}{{% for x in trigger.missing %}}{{% endfor %}}"
    # within the bound every step has
    with bounds.time_limit(5, "finding the placeholder"), pytest.raises(TemplateError) as error:
        render(source, SCOPE)
    assert "trigger.missing" in error.value.message
