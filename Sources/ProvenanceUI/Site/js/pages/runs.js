// Runs: newest first, filtered by pipeline, state and labels (in the address, so a filtered list is a link), with
// their states kept live; two runs picked make a diff, any number a metrics comparison.

import { EventStream, get, inNamespace, query } from "../api.js";
import { formatDuration, formatTime, h, labelChips, show, stateBadge } from "../dom.js";

const STATES = ["", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELING", "CANCELED"];

export async function render({ root, namespace, search, navigate, onDispose, rendered }) {
  const ns = encodeURIComponent(namespace);
  const filter = {
    pipeline: search.get("pipeline") || "", state: search.get("state") || "", labels: search.get("labels") || "",
    schedule: search.get("schedule") || "",
  };
  const [page, pipelines] = await Promise.all([
    get(inNamespace(namespace, `runs${query({ ...filter, page_size: 50, page_token: search.get("page_token") })}`)),
    get(inNamespace(namespace, "pipelines?page_size=500")),
  ]);
  document.title = "Runs · Provenance";

  const pipelineSelect = h("select", { name: "pipeline", id: "filter-pipeline" },
    h("option", { value: "" }, "any"), pipelines.pipelines.map((p) => h("option", { value: p.name }, p.name)));
  pipelineSelect.value = filter.pipeline;
  const stateSelect = h("select", { name: "state", id: "filter-state" }, STATES.map((s) => h("option", { value: s }, s || "any")));
  stateSelect.value = filter.state;
  const labelsInput = h("input", { type: "search", name: "labels", id: "filter-labels", value: filter.labels, placeholder: "customer=acme,tier=gold", size: 28 });
  const form = h("form", { class: "filters", role: "search" },
    h("label", {}, "Pipeline ", pipelineSelect), h("label", {}, "State ", stateSelect),
    h("label", {}, "Labels ", labelsInput), h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(`/ui/ns/${ns}/runs${query({
      pipeline: pipelineSelect.value, state: stateSelect.value, labels: labelsInput.value.trim(), schedule: filter.schedule,
    })}`);
  });

  const picked = new Set();
  const diffButton = h("button", { type: "button", disabled: true, onclick: () => {
    const [a, b] = [...picked];
    navigate(`/ui/ns/${ns}/diff?a=${a}&b=${b}`);
  } }, "Diff two runs");
  const compareButton = h("button", { type: "button", disabled: true, onclick: () => {
    navigate(`/ui/ns/${ns}/metrics?runs=${[...picked].join(",")}`);
  } }, "Compare metrics");
  const updateButtons = () => {
    diffButton.disabled = picked.size !== 2;
    compareButton.disabled = picked.size === 0;
  };

  const cells = new Map(); // run id -> its state cell
  const rows = page.runs.map((run) => {
    const box = h("input", { type: "checkbox", "aria-label": `Pick run ${run.id}`, onchange: (event) => {
      if (event.target.checked) picked.add(run.id); else picked.delete(run.id);
      updateButtons();
    } });
    const stateCell = h("td", {}, stateBadge(run.state));
    cells.set(run.id, stateCell);
    const counts = Object.entries(run.task_counts || {}).map(([state, n]) => `${n} ${state.toLowerCase()}`).join(", ");
    return h("tr", { "data-run": run.id },
      h("td", {}, box),
      h("td", {}, h("a", { href: `/ui/ns/${ns}/runs/${run.id}` }, `#${run.id}`)),
      h("td", {}, h("a", { href: `/ui/ns/${ns}/pipelines/${encodeURIComponent(run.pipeline)}` }, run.pipeline)),
      stateCell,
      h("td", { class: "muted" }, counts),
      h("td", {}, formatTime(run.create_time_since_epoch)),
      h("td", { class: "number" }, formatDuration(run.duration_ms)),
      h("td", {}, labelChips(run.labels)));
  });
  const notice = h("div", { class: "notice", hidden: true });
  const next = page.next_page_token
    ? h("a", { class: "button", href: `/ui/ns/${ns}/runs${query({ ...filter, page_token: page.next_page_token })}` }, "Older runs →")
    : null;
  show(root,
    h("h1", {}, filter.schedule ? [`Runs made by schedule `,
      h("a", { href: `/ui/ns/${ns}/schedules/${encodeURIComponent(filter.schedule)}` }, filter.schedule)] : "Runs"), form, notice,
    h("div", { class: "actions" }, diffButton, compareButton),
    rows.length === 0
      ? h("p", { class: "empty" }, "No runs match. Submit one with ", h("code", {}, "provenance runs submit PIPELINE"), ".")
      : h("table", { class: "runs", "data-count": rows.length },
        h("thead", {}, h("tr", {}, ["", "Run", "Pipeline", "State", "Tasks", "Created", "Duration", "Labels"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)),
    next);
  rendered();

  const stream = new EventStream(namespace, { kind: "run", pipeline: filter.pipeline }, {
    onEvent: (kind, data) => {
      const cell = cells.get(data.run_id);
      if (cell) show(cell, stateBadge(data.state));
      else if (!search.get("page_token")) {
        notice.hidden = false;
        show(notice, "New runs were submitted. ", h("a", { href: location.pathname + location.search }, "Show them"));
      }
    },
    onReset: () => route(navigate),
  });
  onDispose(() => stream.close());
}

function route(navigate) {
  navigate(location.pathname + location.search, { replace: true });
}
