"""A schedule trigger in the editor: the next run times show under its settings, in the
merchant's time zone, and a schedule that cannot run says why before saving."""

from __future__ import annotations

from tests.conftest import flow_document
from tests.e2e.test_editor import create_flow, node, open_editor


def test_the_next_runs_of_a_schedule_are_shown_and_follow_edits(page, demo_api, screenshots):
    flow_id = create_flow(
        demo_api,
        flow_document(
            {
                "id": "clock",
                "type": "core.schedule",
                "params": {"schedule": {"cron": "0 8 * * 1-5"}},
                "position": {"x": 0, "y": 0},
            }
        ),
    )
    open_editor(page, flow_id)
    node(page, "clock").click()
    runs = page.get_by_test_id("next-runs")
    runs.get_by_text("Next runs (Europe/Berlin):").wait_for()
    items = runs.locator("li")
    items.nth(4).wait_for()
    texts = items.all_inner_texts()
    assert len(texts) == 5 and all(text.endswith("08:00") for text in texts)
    assert not any(text.startswith(("Sat", "Sun")) for text in texts)
    page.screenshot(path=screenshots / "editor-schedule.png")

    # The schedule's settings are fields of their own, not a JSON box.
    schedule = page.locator("#param-schedule")
    schedule.get_by_label("Cron expression").fill("every monday")
    runs.get_by_text("is not a cron expression").wait_for()
    schedule.get_by_label("Cron expression").fill("")
    schedule.get_by_label("Or every … minutes").fill("15")
    schedule.get_by_label("Time zone").fill("Asia/Tokyo")
    runs.get_by_text("Next runs (Asia/Tokyo):").wait_for()
