// The UI's entry: signs in, keeps the namespace, and draws the page the address names. Every page has an address
// of its own (a deep link, a reload and the back button all work), and links are followed without reloading.

import { ApiError, get, session } from "./api.js";
import { errorBox, h, show } from "./dom.js";
import * as artifacts from "./pages/artifacts.js";
import * as artifact from "./pages/artifact.js";
import * as diff from "./pages/diff.js";
import * as executors from "./pages/executors.js";
import * as fleet from "./pages/fleet.js";
import * as metrics from "./pages/metrics.js";
import * as notFound from "./pages/not-found.js";
import * as pipelines from "./pages/pipelines.js";
import * as pipeline from "./pages/pipeline.js";
import * as run from "./pages/run.js";
import * as runs from "./pages/runs.js";
import * as schedule from "./pages/schedule.js";
import * as schedules from "./pages/schedules.js";
import * as signIn from "./pages/sign-in.js";

const NAMESPACE_KEY = "provenance.namespace";
const NS = "/ui/ns/([^/]+)";

// [pattern, page, section]: the first match draws the page; its groups are the page's parameters.
const routes = [
  [new RegExp(`^${NS}/runs$`), runs, "runs"],
  [new RegExp(`^${NS}/runs/(\\d+)$`), run, "runs"],
  [new RegExp(`^${NS}/pipelines$`), pipelines, "pipelines"],
  [new RegExp(`^${NS}/pipelines/([^/]+)$`), pipeline, "pipelines"],
  [new RegExp(`^${NS}/fleet$`), fleet, "fleet"],
  [new RegExp(`^${NS}/schedules$`), schedules, "schedules"],
  [new RegExp(`^${NS}/schedules/([^/]+)$`), schedule, "schedules"],
  [new RegExp(`^${NS}/artifacts$`), artifacts, "artifacts"],
  [new RegExp(`^${NS}/artifacts/(\\d+)$`), artifact, "artifacts"],
  [new RegExp(`^${NS}/metrics$`), metrics, "metrics"],
  [new RegExp(`^${NS}/diff$`), diff, "runs"],
  [/^\/ui\/executors$/, executors, "executors"],
  [/^\/ui\/sign-in$/, signIn, null],
];

const root = document.getElementById("page");
let current = null; // the page drawn now: {dispose: [functions]}
let whoami = null;

function namespace() {
  return localStorage.getItem(NAMESPACE_KEY) || "default";
}

/** Goes to `url` (a UI address) without reloading. */
function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  route();
}

async function route() {
  if (current) for (const dispose of current.dispose) dispose();
  current = { dispose: [] };
  const context = current;
  const url = new URL(location.href);
  let path = url.pathname.replace(/\/+$/, "") || "/ui";
  // Section addresses without a namespace (the nav's, and old links) go to the current namespace's.
  const bare = path.match(/^\/ui(?:\/(runs|pipelines|fleet|schedules|artifacts|metrics|diff)(\/.*)?)?$/);
  if (bare) {
    history.replaceState(null, "", `/ui/ns/${encodeURIComponent(namespace())}/${bare[1] || "runs"}${bare[2] || ""}${url.search}`);
    path = location.pathname;
  }
  if (!whoami && path !== "/ui/sign-in") {
    try {
      whoami = await get("whoami");
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        navigate(`/ui/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
        return;
      }
      show(root, h("h1", {}, "Provenance"), errorBox(error));
      return;
    }
    await header();
  }
  for (const [pattern, page, section] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    const parameters = match.slice(1).map(decodeURIComponent);
    if (path.startsWith("/ui/ns/")) remember(parameters[0]);
    markSection(section);
    await draw(page, context, parameters, url.searchParams);
    return;
  }
  markSection(null);
  await draw(notFound, context, [], url.searchParams);
}

async function draw(page, context, parameters, search) {
  show(root, h("p", { class: "muted" }, "Loading…"));
  try {
    await page.render({
      root, parameters, search, navigate, namespace: parameters[0],
      whoami, signedIn,
      onDispose: (dispose) => context.dispose.push(dispose),
      isCurrent: () => current === context,
      rendered: () => rendered(context),
    });
  } catch (error) {
    if (current !== context) return;
    if (error instanceof ApiError && error.status === 401) {
      whoami = null;
      navigate(`/ui/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    } else if (error instanceof ApiError && error.status === 404) {
      const text = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      await notFound.render({ root, message: `${text}${parameters[0] ? ` (namespace ${parameters[0]})` : ""}.`, rendered: () => rendered(context) });
    } else {
      show(root, h("h1", {}, "Something went wrong"), errorBox(error));
    }
  }
}

/** Marks the page as drawn: `data-rendered-ms` on <html>, the time since the address was loaded (what the
 * browser tests and the UI benchmark read). */
function rendered(context) {
  if (current !== context) return;
  document.documentElement.dataset.renderedMs = performance.now().toFixed(1);
  document.documentElement.dataset.renderedPath = location.pathname;
}

function remember(ns) {
  if (!ns || ns === namespace()) return;
  localStorage.setItem(NAMESPACE_KEY, ns);
  const select = document.getElementById("namespace");
  if (![...select.options].some((option) => option.value === ns)) select.append(h("option", { value: ns }, ns));
  select.value = ns;
}

function markSection(section) {
  for (const link of document.querySelectorAll("header nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function header() {
  const select = document.getElementById("namespace");
  let names = [];
  try {
    names = (await get("namespaces")).namespaces.map((ns) => ns.name);
  } catch {
    names = [];
  }
  if (!names.includes(namespace())) names.unshift(namespace());
  select.replaceChildren(...names.map((name) => h("option", { value: name }, name)));
  select.value = namespace();
  select.onchange = () => {
    localStorage.setItem(NAMESPACE_KEY, select.value);
    const section = location.pathname.match(/^\/ui\/ns\/[^/]+\/([a-z]+)/);
    navigate(`/ui/ns/${encodeURIComponent(select.value)}/${section ? section[1] : "runs"}`);
  };
  const who = document.getElementById("who");
  const signOut = whoami.source === "open" ? null : h("button", {
    type: "button", class: "link", onclick: () => {
      session.signOut();
      whoami = null;
      navigate("/ui/sign-in");
    },
  }, "Sign out");
  show(who, h("span", { title: `roles: ${whoami.roles.join(", ")}` }, whoami.name), signOut);
}

/** Signed in anew (the sign-in page calls this). */
function signedIn() {
  whoami = null;
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const href = link.getAttribute("href");
  if (!href || !href.startsWith("/ui")) return;
  event.preventDefault();
  navigate(href);
});

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, select") || event.metaKey || event.ctrlKey || event.altKey) return;
  if (event.key === "/") {
    const search = root.querySelector("input[type=search], input[type=text]");
    if (search) {
      event.preventDefault();
      search.focus();
    }
  }
});

window.addEventListener("popstate", route);
route();
