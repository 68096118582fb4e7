"""What the browser suite and the UI benchmark share: headless Chromium through chromedriver, pages opened and
waited for as a person would (until the page says it is drawn), and the server's REST API with a token."""

import json
import os
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def chrome(width=1440, height=900):
    """A headless Chromium at a laptop's screen size."""
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_for(condition, what, timeout=30.0, every=0.05):
    """Polls `condition` until it answers something true and returns that; fails naming `what` after `timeout`
    (a bound on waiting for a page, not a check of its speed)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(every)


def open_page(driver, base, path):
    """Loads `path` afresh and waits until the UI marks it drawn; answers the milliseconds from the start of the
    load to the page drawn (`data-rendered-ms`, the UI's own `performance.now()` at that moment)."""
    driver.get(base + path)
    expected = path.split("?")[0].rstrip("/")

    def drawn():
        return driver.execute_script(
            "const d = document.documentElement.dataset;"
            "return d.renderedMs && d.renderedPath.replace(/\\/$/, '') === arguments[0] ? Number(d.renderedMs) : null;",
            expected)

    return wait_for(drawn, f"{path} to be drawn")


def javascript_errors(driver):
    """Errors the page's scripts logged (uncaught exceptions, failed modules), leaving out failed API calls,
    which the pages show themselves."""
    errors = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        message = entry["message"]
        if "Failed to load resource" in message or "favicon" in message:
            continue
        errors.append(message)
    return errors


class Api:
    """The server's REST API with a token."""

    def __init__(self, base, token, namespace="default"):
        self.base = base.rstrip("/")
        self.token = token
        self.namespace = namespace

    def call(self, method, path, body=None, content_type="application/json"):
        url = self.base + (path if path.startswith("/") else f"/api/v1/namespaces/{self.namespace}/{path}")
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = {"Content-Type": content_type}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, method=method, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read().decode()}") from None

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body):
        return self.call("POST", path, body)

    def wait_for_run(self, run_id, timeout=180.0):
        """The run once it has finished."""
        return wait_for(lambda: (lambda run: run if run["state"] in ("SUCCEEDED", "FAILED", "CANCELED") else None)(
            self.get(f"runs/{run_id}")), f"run {run_id} to finish", timeout=timeout, every=0.2)
