"""Fixtures of the browser suite: the server browser-suite.sh started (with an admin token, and a real
`provenance executor` attached), the example pipeline really run on it, and one headless Chromium signed in."""

import os
import pathlib
import subprocess

import pytest

from browser import Api, chrome, javascript_errors, open_page, wait_for

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def base():
    return os.environ["PROVENANCE_UI_SERVER"]


@pytest.fixture(scope="session")
def api(base):
    return Api(base, os.environ["PROVENANCE_TOKEN"])


@pytest.fixture(scope="session")
def screenshots():
    directory = pathlib.Path(os.environ.get("PROVENANCE_UI_SCREENSHOTS", REPOSITORY / ".build-ui" / "screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def apply(base, spec):
    """Applies a spec file through the CLI, as a user would."""
    subprocess.run([os.environ["PROVENANCE_BIN"], "pipelines", "apply", str(REPOSITORY / spec), "--server", base],
                   check=True, cwd=REPOSITORY, capture_output=True)


@pytest.fixture(scope="session")
def example_runs(base, api):
    """Two runs of the example pipeline (two customers), really run by the executor: their ids."""
    apply(base, "examples/personalization/pipeline.yaml")
    ids = []
    for customer in ("acme", "globex"):
        run = api.post("runs", {"pipeline": "personalization", "parameters": {"customer": customer}})
        finished = api.wait_for_run(run["id"])
        assert finished["state"] == "SUCCEEDED", finished
        ids.append(run["id"])
    return ids


@pytest.fixture(scope="session")
def hold_pipeline(base):
    apply(base, "scripts/ui/hold-pipeline.yaml")
    return "ui-hold"


@pytest.fixture(scope="session")
def driver(base, screenshots):
    """One browser for the suite, signed in through the sign-in page with the admin token."""
    browser = chrome()
    try:
        browser.get(base + "/ui/")
        wait_for(lambda: "/ui/sign-in" in browser.current_url, "the sign-in page")
        browser.find_element("id", "token").send_keys(os.environ["PROVENANCE_TOKEN"])
        browser.find_element("css selector", "form.sign-in button[type=submit]").click()
        wait_for(lambda: browser.current_url.endswith("/ui/ns/default/runs"), "the runs page after signing in")
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def page(driver, base, screenshots, request):
    """Opens a page (and saves a screenshot of what it showed when the test ends, as the test's artifact)."""
    def load(path):
        return open_page(driver, base, path)

    yield load
    driver.save_screenshot(str(screenshots / f"{request.node.name}.png"))
    errors = javascript_errors(driver)
    assert not errors, f"the page's scripts failed: {errors}"
