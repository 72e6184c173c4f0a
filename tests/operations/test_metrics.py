"""GET /metrics: Prometheus text summed over every Shopwire process on the host."""

from __future__ import annotations

import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import create_active_flow, load_fixture
from tests.operations.processes import environment, start_web, start_worker, stop
from tests.test_end_to_end import w1_flow

ORDER = load_fixture("shopify", "webhook.orders_paid.json")


def samples(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(base: str) -> dict[tuple, float]:
    reply = requests.get(f"{base}/metrics", timeout=10)
    assert reply.status_code == 200
    return samples(reply.text)


def moved(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0) - before.get(key, 0)


def test_metrics_move_as_events_flow_through_web_and_worker_processes(app_config, api, receiver):
    _, hook = create_active_flow(api, w1_flow(receiver.url("/orders")))
    env = environment(app_config)
    base, web = start_web(env)
    worker = None
    try:
        before = scrape(base)
        hook = hook.replace("http://localhost", base)
        for event_id in ("e1", "e2", "e3", "e1"):  # the last one again: deduplicated
            reply = requests.post(
                hook,
                data=ORDER,
                headers={"Content-Type": "application/json", "X-Shopify-Webhook-Id": event_id},
                timeout=10,
            )
            assert reply.status_code in (200, 202)
        queued = scrape(base)
        assert moved(before, queued, "shopwire_deliveries_received_total", connector="core") == 4
        assert moved(before, queued, "shopwire_deliveries_accepted_total", connector="core") == 3
        assert (
            moved(before, queued, "shopwire_deliveries_deduplicated_total", connector="core") == 1
        )
        assert queued[("shopwire_queue_depth", ())] == 3
        assert queued[("shopwire_queue_oldest_age_seconds", ())] >= 0

        worker = start_worker(env)  # a separate process: its counts reach the web's /metrics
        deadline = time.monotonic() + 30
        after = queued
        while time.monotonic() < deadline:
            after = scrape(base)
            finished = "shopwire_executions_finished_total"
            if moved(before, after, finished, status="succeeded") >= 3:
                break  # counted right after each run is committed as finished
            time.sleep(0.2)
        assert moved(before, after, "shopwire_executions_finished_total", status="succeeded") == 3
        assert after[("shopwire_queue_depth", ())] == 0
        assert after[("shopwire_workers_alive", ())] >= 1
        posted = moved(
            before,
            after,
            "shopwire_step_duration_seconds_count",
            node_type="core.http_request",
            status="succeeded",
        )
        assert posted == 3
        assert len(receiver.requests) == 3
    finally:
        stop(web, *([worker] if worker else []))


def test_metrics_need_the_token_when_one_is_set(app, client):
    app.config["SHOPWIRE_METRICS_TOKEN"] = "s3cret-scrape"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    reply = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert reply.status_code == 200
    assert reply.content_type.startswith("text/plain")
    assert "shopwire_queue_depth" in reply.get_data(as_text=True)
