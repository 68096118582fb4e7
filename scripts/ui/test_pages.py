"""The web UI in a real headless Chromium, against a server that really ran the example pipeline: what a person
would see on each page. Each test leaves a screenshot of its page in .build-ui/screenshots/."""

import math
import os

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from browser import Api, wait_for


def nodes(driver):
    return driver.find_elements("css selector", "svg.graph a.node")


def node_ids(driver):
    """The ids of the graph's nodes, read in one go (a redraw between two reads would make elements stale)."""
    return set(driver.execute_script("return [...document.querySelectorAll('svg.graph a.node')].map(n => n.dataset.id)"))


def text_of(driver, selector):
    """The text of the element `selector` names now ("" if none), read in one go."""
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", selector)


def node(driver, node_id):
    return driver.find_element("css selector", f'svg.graph a.node[data-id="{node_id}"]')


def state_of(element):
    return next((c[len("state-"):] for c in element.get_attribute("class").split() if c.startswith("state-")), None)


def test_the_runs_page_lists_every_run_with_its_state(driver, page, example_runs):
    page("/ui/ns/default/runs")
    rows = driver.find_elements("css selector", "table.runs tbody tr")
    shown = {int(row.get_attribute("data-run")) for row in rows}
    assert set(example_runs) <= shown
    for row in rows:
        if int(row.get_attribute("data-run")) in example_runs:
            assert "SUCCEEDED" in row.text


def test_a_run_page_draws_its_dag_with_a_node_per_task_and_an_edge_per_dependency(driver, page, api, example_runs):
    run = api.get(f"runs/{example_runs[0]}")
    page(f"/ui/ns/default/runs/{run['id']}")
    drawn = nodes(driver)
    assert node_ids(driver) == {t["step"] for t in run["tasks"]}
    assert len(drawn) == len(run["tasks"])
    assert all(state_of(n) == "succeeded" for n in drawn)
    edges = driver.find_elements("css selector", "svg.graph path.edge")
    pairs = {(e.get_attribute("data-from"), e.get_attribute("data-to")) for e in edges}
    # The example's data dependencies, from its spec.
    assert {("generate", "prepare"), ("prepare", "train"), ("train", "validate"), ("prepare", "validate"),
            ("validate", "deploy"), ("train", "deploy")} <= pairs


def test_a_task_turns_succeeded_on_the_open_page_without_a_reload(driver, page, api, hold_pipeline, tmp_path):
    release = tmp_path / "release"
    run = api.post("runs", {"pipeline": hold_pipeline, "parameters": {"path": str(release)}})
    page(f"/ui/ns/default/runs/{run['id']}?task=after")
    wait_for(lambda: state_of(node(driver, "hold")) == "running", "the held task to run")
    assert state_of(node(driver, "after")) == "pending"
    assert "waiting for inputs from hold" in text_of(driver, "#task-panel").lower()
    driver.execute_script("window.__sameDocument = 'yes'")
    release.write_text("go")
    wait_for(lambda: state_of(node(driver, "after")) == "succeeded", "the last task to succeed on the page")
    assert state_of(node(driver, "hold")) == "succeeded"
    assert driver.execute_script("return window.__sameDocument") == "yes", "the page was not reloaded"
    wait_for(lambda: "SUCCEEDED" in driver.find_element("css selector", ".run-head h1").text, "the run's state")
    # The open task panel followed: its attempt and its log line arrived without a click.
    wait_for(lambda: "done" in text_of(driver, "#task-panel pre.logs"), "the step's log line in the panel")
    wait_for(lambda: "SUCCEEDED" in text_of(driver, "#task-panel table.attempts"), "the attempt in the panel")


def test_a_task_opens_from_the_keyboard_and_escape_closes_it(driver, page, example_runs):
    page(f"/ui/ns/default/runs/{example_runs[0]}")
    panel = driver.find_element("id", "task-panel")
    assert not panel.is_displayed()
    driver.execute_script("document.querySelector('svg.graph a.node[data-id=\"train\"]').focus()")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_for(panel.is_displayed, "the task panel")
    assert "train-ranker@1" in panel.text
    assert "Model #" in panel.text, "its output links to its artifact"
    wait_for(lambda: "epoch 4" in text_of(driver, "#task-panel pre.logs"), "the step's logs")
    assert "task=train" in driver.current_url, "the picked task is in the address"
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    wait_for(lambda: not panel.is_displayed(), "the panel to close")


def spiky_series(points=60_000, spike_step=41_234, spike=50.0):
    return [{"name": "spiky", "step": step, "value": spike if step == spike_step else 1.0 + 0.1 * math.sin(step / 500)}
            for step in range(points)]


def test_the_chart_draws_the_downsampled_series_with_its_spike_and_zooms_to_finer_buckets(driver, page, api, example_runs):
    run_id = example_runs[1]
    series = spiky_series()
    for start in range(0, len(series), 10_000):
        api.post(f"runs/{run_id}/metrics", {"points": series[start:start + 10_000]})
    page(f"/ui/ns/default/metrics?runs={run_id}&step=")
    chart = driver.find_element("css selector", 'figure[data-metric="spiky"] svg.chart')
    assert chart.get_attribute("data-points") == "60000", "every point is in some bucket"
    drawn = chart.find_element("css selector", "g.series")
    buckets = int(drawn.get_attribute("data-buckets"))
    assert 100 <= buckets <= 2000, "downsampled to about the chart's width"
    assert float(drawn.get_attribute("data-max")) == 50.0, "the spike's bucket kept its max"
    geometry = driver.execute_script("""
        const chart = arguments[0];
        const plot = chart.querySelector('rect.plot').getBBox();
        const band = chart.querySelector('path.band').getBBox();
        return {plotTop: plot.y, plotHeight: plot.height, bandTop: band.y};""", chart)
    # The spike is 50 where every other value is near 1: the band reaches the top of the plot.
    assert geometry["bandTop"] - geometry["plotTop"] < 0.06 * geometry["plotHeight"]
    caption = driver.find_element("css selector", 'figure[data-metric="spiky"] figcaption')
    before = caption.text
    box = chart.rect
    ActionChains(driver).move_to_element_with_offset(chart, -box["width"] * 0.1, 0).click_and_hold() \
        .move_by_offset(box["width"] * 0.15, 0).release().perform()
    wait_for(lambda: "steps " in caption.text and caption.text != before, "the zoomed chart")
    width_before = int(before.split("buckets of ")[1].split()[0])
    width_after = int(caption.text.split("buckets of ")[1].split()[0])
    assert width_after < width_before, f"zooming asked for finer buckets: {before!r} -> {caption.text!r}"


def test_the_lineage_graph_expands_a_hop_at_a_time_and_upstream_is_one_click(driver, page, api, example_runs):
    run = api.get(f"runs/{example_runs[0]}")
    train = next(t for t in run["tasks"] if t["step"] == "train")
    dataset = next(i for i in train["inputs"] if i["name"] == "train")["artifact_id"]
    model = train["outputs"][0]["artifact_id"]
    page(f"/ui/ns/default/artifacts/{dataset}")
    before = wait_for(lambda: node_ids(driver), "the lineage graph")
    trainer = f"e{train['execution_id']}"
    assert trainer in before and f"a{model}" not in before, "one hop: the executions around the dataset"
    node(driver, trainer).click()
    wait_for(lambda: f"a{model}" in node_ids(driver), "the trainer's model after a click")
    assert len(node_ids(driver)) > len(before)

    page(f"/ui/ns/default/artifacts/{model}")
    buttons = driver.find_elements("css selector", "section.lineage-section .actions button")
    next(b for b in buttons if b.text.startswith("Upstream")).click()
    clickstream = next(t for t in run["tasks"] if t["step"] == "generate")["outputs"][0]["artifact_id"]
    wait_for(lambda: f"a{clickstream}" in node_ids(driver), "the clickstream that trained the model")


def openlineage_run(job, run_id, inputs, outputs):
    """A COMPLETE RunEvent of an Airflow task, made with the OpenLineage client's own classes."""
    return RunEvent(
        eventType=RunState.COMPLETE, eventTime="2026-12-07T03:00:00+00:00", producer="https://github.com/apache/airflow",
        run=Run(runId=run_id), job=Job(namespace="airflow-ui", name=job),
        inputs=[InputDataset(namespace="s3://ui-lake", name=name) for name in inputs],
        outputs=[OutputDataset(namespace="s3://ui-lake", name=name) for name in outputs])


def test_openlineage_events_show_in_the_lineage_graph(driver, page, api):
    client = OpenLineageClient(config={"transport": {
        "type": "http", "url": api.base, "compression": "gzip", "auth": {"type": "api_key", "apiKey": api.token}}})
    client.emit(openlineage_run("etl.extract", "0192f6a0-3333-7000-8000-000000000001", ["orders"], ["staged"]))
    client.emit(openlineage_run("etl.features", "0192f6a0-3333-7000-8000-000000000002", ["staged"], ["features"]))
    ol = Api(api.base, api.token, namespace="airflow-ui")
    artifacts = {a["custom_properties"]["openlineage_name"]["string"]: a["id"] for a in ol.get("artifacts")["artifacts"]}
    page(f"/ui/ns/airflow-ui/artifacts/{artifacts['features']}")
    wait_for(lambda: node_ids(driver), "the lineage graph")
    buttons = driver.find_elements("css selector", "section.lineage-section .actions button")
    next(b for b in buttons if b.text.startswith("Upstream")).click()
    wait_for(lambda: f"a{artifacts['orders']}" in node_ids(driver), "the orders table two jobs upstream")
    labels = driver.execute_script("return [...document.querySelectorAll('svg.graph a.node')].map(n => n.textContent)")
    assert any("etl.extract" in label for label in labels), labels


def test_the_diff_page_says_what_changed_between_two_runs(driver, page, example_runs):
    a, b = example_runs
    page(f"/ui/ns/default/diff?a={a}&b={b}")
    text = driver.find_element("id", "page").text
    assert "customer" in text and "acme" in text and "globex" in text
    assert "Inputs" in text and "Dataset #" in text


def test_pipelines_and_executors_pages(driver, page, example_runs):
    page("/ui/ns/default/pipelines")
    assert "personalization" in driver.find_element("css selector", "table.pipelines").text
    page("/ui/ns/default/pipelines/personalization")
    assert len(nodes(driver)) == 5
    page("/ui/executors")
    rows = driver.find_elements("css selector", "table.executors tbody tr")
    assert len(rows) >= 1
    assert "attached" in driver.find_element("id", "page").text


def test_a_schedule_page_shows_each_fire_and_pauses_and_resumes(driver, page, api, example_runs):
    api.call("PUT", "schedules/ui-every-2s", {
        "pipeline": "personalization", "interval": "2s", "parameters": {"customer": "initech"},
        "labels": {"customer": "initech"}})
    wait_for(lambda: len(api.get("schedules/ui-every-2s/ticks")["ticks"]) >= 3, "three fires", timeout=60)
    api.post("schedules/ui-every-2s:pause", {})
    ticks = api.get("schedules/ui-every-2s/ticks")["ticks"]
    fired = [t for t in ticks if t["state"] == "FIRED"]
    assert fired, ticks

    page("/ui/ns/default/schedules")
    row = next(r for r in driver.find_elements("css selector", "table.schedules tbody tr") if "ui-every-2s" in r.text)
    assert "every 2s" in row.text and "PAUSED" in row.text and f"run #{fired[0]['run_id']}" in row.text

    page("/ui/ns/default/schedules/ui-every-2s")
    rows = driver.find_elements("css selector", "table.ticks tbody tr")
    assert len(rows) == len(ticks)
    assert driver.find_elements("css selector", f'table.ticks a[href$="/runs/{fired[0]["run_id"]}"]')
    for tick in ticks:
        if tick["state"] == "SKIPPED":
            assert tick["reason"] in driver.find_element("css selector", "table.ticks").text
    driver.find_element("xpath", "//button[text()='Resume']").click()
    wait_for(lambda: driver.find_elements("xpath", "//button[text()='Pause']"), "the Pause button after resuming")
    assert api.get("schedules/ui-every-2s")["state"] == "ACTIVE"
    api.post("schedules/ui-every-2s:pause", {})


def test_the_fleet_page_puts_a_failing_customer_first(driver, page, api, example_runs):
    for customer in ("umbrella", "hooli"):
        run = api.post("runs", {"pipeline": "personalization", "parameters": {"customer": customer},
                                "labels": {"customer": customer}})
        if customer == "umbrella":
            api.post(f"runs/{run['id']}:cancel", {})
        api.wait_for_run(run["id"])
    page("/ui/ns/default/fleet?pipeline=personalization")
    rows = driver.find_elements("css selector", "table.fleet tbody tr")
    keys = [row.get_attribute("data-key") for row in rows]
    assert "umbrella" in keys and "hooli" in keys, keys
    umbrella = rows[keys.index("umbrella")]
    assert "FAILING" in umbrella.text and "stands-out" in umbrella.get_attribute("class")
    assert "OK" in rows[keys.index("hooli")].text
    assert keys.index("umbrella") < keys.index("hooli"), "what stands out comes first"


def test_a_missing_run_and_an_unknown_address_show_a_clear_page(driver, page):
    page("/ui/ns/default/runs/999999")
    assert "Run 999999 not found" in driver.find_element("css selector", "section.not-found").text
    page("/ui/ns/default/nothing-here")
    assert "not a page of Provenance" in driver.find_element("css selector", "section.not-found").text


def test_signing_out_leads_back_to_the_sign_in_page(driver, base, page):
    page("/ui/ns/default/runs")
    driver.find_element("css selector", "#who button").click()
    wait_for(lambda: "/ui/sign-in" in driver.current_url, "the sign-in page")
    driver.find_element("id", "token").send_keys("prov_not-a-real-token")
    driver.find_element("css selector", "form.sign-in button[type=submit]").click()
    wait_for(lambda: "refused" in driver.find_element("css selector", "form.sign-in").text, "the refusal")
    driver.find_element("id", "token").clear()
    driver.find_element("id", "token").send_keys(os.environ["PROVENANCE_TOKEN"])
    driver.find_element("css selector", "form.sign-in button[type=submit]").click()
    wait_for(lambda: driver.current_url.endswith("/ui/ns/default/runs"), "the runs page again")
