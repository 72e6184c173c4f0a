"""GET /metrics: Prometheus text summed over every Shopwire process on the host."""

from __future__ import annotations

import socket
import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import create_active_flow, load_fixture
from tests.operations.processes import (
    environment,
    kill_host,
    start_metrics_server,
    start_web,
    start_worker,
    stop,
)
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


def test_a_worker_on_another_host_is_seen_alive_and_its_counts_served_by_its_host(
    app_config, api, receiver, tmp_path
):
    """Two hosts, as an operator runs them: the web server's multiprocess directory is not the
    worker's. The web's /metrics sees every worker alive (from Redis) with its host, its jobs
    and its heartbeat, but not the worker's own counts; `shopwire metrics-server` on the
    worker's host serves those. A worker killed without a goodbye drops out of workers alive
    once it has missed its heartbeat."""
    _, hook = create_active_flow(api, w1_flow(receiver.url("/orders")))
    web_host, worker_host = tmp_path / "web", tmp_path / "worker"
    web_host.mkdir(), worker_host.mkdir()
    ttl = {"SHOPWIRE_WORKER_TTL_SECONDS": "4", "SHOPWIRE_METRICS_TOKEN": "scrape-me"}
    on_web = environment(app_config, PROMETHEUS_MULTIPROC_DIR=str(web_host), **ttl)
    on_worker = environment(app_config, PROMETHEUS_MULTIPROC_DIR=str(worker_host), **ttl)
    base, web = start_web(on_web)
    worker = start_worker(on_worker)
    exporter, exporter_process = start_metrics_server(on_worker)
    token = {"Authorization": "Bearer scrape-me"}

    def scraped(url: str) -> dict[tuple, float]:
        reply = requests.get(f"{url}/metrics", headers=token, timeout=10)
        assert reply.status_code == 200
        return samples(reply.text)

    try:
        assert requests.get(f"{exporter}/metrics", timeout=10).status_code == 401
        for event_id in ("h1", "h2", "h3"):
            requests.post(
                hook.replace("http://localhost", base),
                data=ORDER,
                headers={"Content-Type": "application/json", "X-Shopify-Webhook-Id": event_id},
                timeout=10,
            ).raise_for_status()
        finished = ("shopwire_executions_finished_total", (("status", "succeeded"),))
        deadline = time.monotonic() + 30
        while scraped(exporter).get(finished, 0) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)

        on_worker_host, on_web_host = scraped(exporter), scraped(base)
        assert on_worker_host[finished] == 3  # the worker's counts, served on its host
        assert ("shopwire_queue_depth", ()) not in on_worker_host  # states: the web's job
        assert on_web_host.get(finished, 0) == 0  # not visible from another host's files
        accepted = ("shopwire_deliveries_accepted_total", (("connector", "core"),))
        assert on_web_host[accepted] == 3
        assert on_web_host[("shopwire_workers_alive", ())] == 1
        [(host, name)] = {
            (dict(labels)["host"], dict(labels)["worker"])
            for metric, labels in on_web_host
            if metric == "shopwire_worker_heartbeat_age_seconds"
        }
        jobs = on_web_host[
            (
                "shopwire_worker_jobs_total",
                (("host", host), ("result", "succeeded"), ("worker", name)),
            )
        ]
        assert host == socket.gethostname() and jobs >= 1  # a wake-up job runs several

        kill_host(worker)
        deadline = time.monotonic() + 30
        while scraped(base)[("shopwire_workers_alive", ())] and time.monotonic() < deadline:
            time.sleep(0.5)
        assert scraped(base)[("shopwire_workers_alive", ())] == 0
    finally:
        stop(web, worker, exporter_process)
