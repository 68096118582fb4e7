// Metrics of one or more runs: a chart per metric, downsampled by the server to the chart's width (each bucket's
// min, max and last value, so no spike is lost), zoomed by asking for finer buckets of a step range; and below,
// the runs' parameters and final metrics in one table, sorted by the server.

import { get, inNamespace, query } from "../api.js";
import { LineChart, PALETTE } from "../chart.js";
import { errorBox, formatNumber, formatValue, h, show, stateBadge } from "../dom.js";

const LISTED_RUNS = 20;
// How many runs a pipeline filter picks.
const NEWEST = 10;

export async function render({ root, namespace, search, navigate, isCurrent, rendered }) {
  const ns = encodeURIComponent(namespace);
  let runIds = (search.get("runs") || "").split(",").map((s) => s.trim()).filter((s) => /^\d+$/.test(s)).map(Number);
  const step = search.get("step");
  const sort = search.get("sort") || "";
  const chosen = { pipeline: search.get("pipeline") || "", labels: search.get("labels") || "", state: search.get("state") || "" };
  document.title = "Metrics · Provenance";

  const runsInput = h("input", { type: "text", id: "metric-runs", name: "runs", value: runIds.join(","), size: 24, placeholder: "run ids: 12,13,14" });
  const pipelineInput = h("input", { type: "text", id: "metric-pipeline", name: "pipeline", value: chosen.pipeline, size: 18, placeholder: "pipeline" });
  const labelsInput = h("input", { type: "text", id: "metric-labels", name: "labels", value: chosen.labels, size: 22, placeholder: "customer=acme" });
  const form = h("form", { class: "filters" }, h("label", {}, "Runs ", runsInput), h("span", { class: "muted" }, "or the newest "),
    h("label", {}, `${NEWEST} runs of `, pipelineInput), h("label", {}, "with labels ", labelsInput), h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const runs = runsInput.value.replace(/\s+/g, "");
    navigate(`/ui/ns/${ns}/metrics${query(runs ? { runs, step } : { pipeline: pipelineInput.value.trim(), labels: labelsInput.value.trim(), step })}`);
  });
  if (runIds.length === 0 && chosen.pipeline) {
    // Runs chosen by a filter: the comparison read picks them (newest first), in one query.
    const picked = await get(inNamespace(namespace, `runs:compare${query({ ...chosen, limit: NEWEST })}`));
    runIds = picked.runs.map((r) => r.run_id);
  }
  if (runIds.length === 0) {
    show(root, h("h1", {}, "Metrics"), form,
      h("p", { class: "empty" }, chosen.pipeline ? "No runs match." : ["Pick runs here, or tick them in ", h("a", { href: `/ui/ns/${ns}/runs` }, "the runs list"), " and choose Compare metrics."]));
    rendered();
    return;
  }

  // Which series the runs have: by step (the run's own series have none) and name.
  const listings = await Promise.all(runIds.slice(0, LISTED_RUNS).map((id) => get(inNamespace(namespace, `runs/${id}/metrics`))));
  if (!isCurrent()) return;
  const steps = new Map(); // step ("" for the run's own) -> Set of names
  for (const listing of listings) {
    for (const series of listing.metrics) {
      const key = series.step || "";
      if (!steps.has(key)) steps.set(key, new Set());
      steps.get(key).add(series.name);
    }
  }
  const chosenStep = step ?? (steps.has("") ? "" : [...steps.keys()][0] ?? "");
  const names = [...(steps.get(chosenStep) || [])].sort();
  const stepPicker = h("nav", { class: "tabs", "aria-label": "Series of" }, [...steps.keys()].sort().map((key) =>
    h("a", { href: `/ui/ns/${ns}/metrics${query({ runs: runIds.join(","), step: key })}`, "aria-current": key === chosenStep ? "page" : null },
      key ? `step ${key}` : "run")));
  const color = new Map(runIds.map((id, i) => [id, PALETTE[i % PALETTE.length]]));
  const legend = h("div", { class: "legend" }, runIds.map((id) =>
    h("a", { class: "key", href: `/ui/ns/${ns}/runs/${id}`, "data-color": color.get(id) }, `run #${id}`)));
  const charts = h("div", { class: "charts" });
  const comparison = h("section", { class: "comparison" });
  show(root, h("h1", {}, "Metrics"), form, stepPicker, legend, charts, h("h2", {}, "Comparison"), comparison);
  for (const key of legend.querySelectorAll("[data-color]")) key.style.borderColor = key.dataset.color;
  if (names.length === 0) charts.append(h("p", { class: "empty" }, "These runs have no metric series yet."));

  const drawn = names.map((name) => drawChart(charts, namespace, runIds, chosenStep, name, color));
  await Promise.all([...drawn, drawComparison(comparison, namespace, runIds, chosenStep, sort)]);
  rendered();
}

async function drawChart(container, namespace, runIds, step, name, color) {
  const card = h("figure", { class: "chart-card", "data-metric": name });
  const caption = h("figcaption", {}, h("strong", {}, name), " ", h("span", { class: "muted zoom-state" }, ""));
  const reset = h("button", { type: "button", class: "link", hidden: true }, "Reset zoom");
  caption.append(" ", reset);
  card.append(caption);
  container.append(card);
  let range = { from: null, to: null };
  const chart = new LineChart(card, { name, onZoom: (from, to) => load(from === null ? { from: null, to: null } : { from, to }) });
  reset.addEventListener("click", () => load({ from: null, to: null }));
  async function load(next) {
    range = next;
    const buckets = Math.max(100, Math.min(2000, Math.floor(card.clientWidth || 800)));
    try {
      const answer = await get(inNamespace(namespace, `metrics:downsample${query({
        runs: runIds.join(","), names: name, step: step || undefined, max_points: buckets,
        step_from: range.from ?? undefined, step_to: range.to ?? undefined,
      })}`));
      chart.render(answer.series.map((s) => ({
        label: `run #${s.run_id}`, color: color.get(s.run_id), width: s.width, buckets: s.buckets,
      })), range);
      const zoomed = range.from !== null;
      reset.hidden = !zoomed;
      const widths = [...new Set(answer.series.map((s) => s.width))].join(", ");
      caption.querySelector(".zoom-state").textContent =
        `${zoomed ? `steps ${range.from}–${range.to}, ` : ""}buckets of ${widths} step${widths === "1" ? "" : "s"}`;
    } catch (error) {
      card.append(errorBox(error));
    }
  }
  await load(range);
}

async function drawComparison(container, namespace, runIds, step, sort) {
  const ns = encodeURIComponent(namespace);
  const answer = await get(inNamespace(namespace, `runs:compare${query({ runs: runIds.join(","), step: step || undefined, sort: sort || undefined })}`));
  // Parameters that are the same in every run are said once, above the table.
  const varying = answer.parameters.filter((p) => new Set(answer.runs.map((r) => JSON.stringify(r.parameters[p]))).size > 1);
  const same = answer.parameters.filter((p) => !varying.includes(p));
  const sortLink = (label, key) => {
    const next = sort === key ? `-${key}` : key;
    const arrow = sort === key ? " ▲" : sort === `-${key}` ? " ▼" : "";
    const url = new URL(location.href);
    url.searchParams.set("sort", next);
    return h("a", { href: url.pathname + url.search, "aria-sort": arrow ? (arrow === " ▲" ? "ascending" : "descending") : null }, label + arrow);
  };
  const headers = [sortLink("Run", "id"), "State",
    ...varying.map((p) => sortLink(p, `param:${p}`)), ...answer.metrics.map((m) => sortLink(m, `metric:${m}`))];
  const rows = answer.runs.map((r) => h("tr", {},
    h("td", {}, h("a", { href: `/ui/ns/${ns}/runs/${r.run_id}` }, `#${r.run_id}`)),
    h("td", {}, stateBadge(r.state)),
    varying.map((p) => h("td", {}, formatValue(r.parameters[p]))),
    answer.metrics.map((m) => h("td", { class: "number" }, formatNumber(r.metrics[m])))));
  const headerRow = h("tr", {}, headers.map((x, i) => h("th", { scope: "col", class: i >= 2 + varying.length ? "number" : null }, x)));
  show(container,
    same.length ? h("p", { class: "muted" }, "Same in every run: ", same.map((p) => `${p}=${formatValue(answer.runs[0]?.parameters[p])}`).join(", ")) : null,
    h("table", { class: "compare" }, h("thead", {}, headerRow), h("tbody", {}, rows)),
    runIds.length === 2 ? h("p", {}, h("a", { href: `/ui/ns/${ns}/diff?a=${runIds[0]}&b=${runIds[1]}` }, "What changed between these two runs →")) : null);
}
