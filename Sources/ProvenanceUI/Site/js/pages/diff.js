// Two runs side by side: what changed in parameters, inputs (the same artifact, a newer or older one of the same
// type and name, or another), component versions, cache hits and metrics. One request: `GET /runs/{a}:diff?with=b`.

import { get, inNamespace, query } from "../api.js";
import { formatNumber, formatValue, h, show, stateBadge } from "../dom.js";

/** How run b's input compares with run a's (`newer`: b read a later artifact of the same type and name). */
function changeWords(change, b) {
  return { same: "the same artifact", newer: `newer in #${b}`, older: `older in #${b}`, different: "a different artifact" }[change] || change;
}

export async function render({ root, namespace, search, navigate, isCurrent, rendered }) {
  const ns = encodeURIComponent(namespace);
  const a = search.get("a") || "";
  const b = search.get("b") || "";
  const aInput = h("input", { type: "text", id: "diff-a", name: "a", value: a, size: 6, inputmode: "numeric" });
  const bInput = h("input", { type: "text", id: "diff-b", name: "b", value: b, size: 6, inputmode: "numeric" });
  const changedOnly = h("input", { type: "checkbox", id: "changed-only", checked: search.get("all") !== "1" });
  const form = h("form", { class: "filters" }, h("label", {}, "Run ", aInput), h("label", {}, "against run ", bInput),
    h("label", { class: "check" }, changedOnly, " Changes only"), h("button", { type: "submit" }, "Diff"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(`/ui/ns/${ns}/diff${query({ a: aInput.value.trim(), b: bInput.value.trim(), all: changedOnly.checked ? undefined : 1 })}`);
  });
  document.title = `Diff #${a} · #${b} · Provenance`;
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) {
    show(root, h("h1", {}, "Diff two runs"), form, h("p", { class: "empty" }, "Name two runs of a pipeline."));
    rendered();
    return;
  }
  const diff = await get(inNamespace(namespace, `runs/${a}:diff?with=${b}`));
  if (!isCurrent()) return;
  const only = changedOnly.checked;
  const runLink = (run) => h("a", { href: `/ui/ns/${ns}/runs/${run.id}` }, `#${run.id}`);
  const pair = (value, format = formatValue) => [h("td", {}, format(value.a)), h("td", {}, format(value.b))];
  const changedRow = (changed, ...cells) => only && !changed ? null : h("tr", { class: changed ? "changed" : null }, ...cells);

  const parameterRows = Object.entries(diff.parameters).map(([name, value]) =>
    changedRow(value.changed, h("th", { scope: "row" }, name), pair(value)));
  const artifactCell = (side) => side
    ? h("td", {}, h("a", { href: `/ui/ns/${ns}/artifacts/${side.artifact_id}` }, `${side.type} #${side.artifact_id}`), side.uri ? h("div", { class: "uri" }, side.uri) : null)
    : h("td", { class: "muted" }, "—");
  const inputRows = diff.inputs.map((input) => changedRow(input.change !== "same",
    h("th", { scope: "row" }, `${input.step}.${input.input}`), artifactCell(input.a), artifactCell(input.b),
    h("td", { class: `change change-${input.change}` }, changeWords(input.change, diff.b.id))));
  const stepRows = diff.steps.map((step) => {
    const parameterChanges = Object.entries(step.parameters || {}).filter(([, v]) => v.changed).map(([k]) => k);
    const changed = step.component.changed || step.state.changed || step.cached_from.changed || parameterChanges.length > 0;
    const cache = (v) => v === null || v === undefined ? "ran" : `cached from task #${v}`;
    return changedRow(changed, h("th", { scope: "row" }, step.step),
      h("td", {}, step.component.a, step.component.changed ? h("div", { class: "muted" }, `was ${step.component.b}`) : null),
      h("td", {}, stateBadge(step.state.a), " ", stateBadge(step.state.b)),
      h("td", {}, cache(step.cached_from.a), " / ", cache(step.cached_from.b)),
      h("td", {}, parameterChanges.join(", ") || "—"));
  });
  const metricRows = diff.metrics.map((m) => h("tr", {},
    h("th", { scope: "row" }, m.step ? `${m.step}.${m.name}` : m.name),
    h("td", { class: "number" }, formatNumber(m.a)), h("td", { class: "number" }, formatNumber(m.b)),
    h("td", { class: `number ${m.delta > 0 ? "up" : m.delta < 0 ? "down" : ""}` }, m.delta === null || m.delta === undefined ? "" : (m.delta > 0 ? "+" : "") + formatNumber(m.delta))));
  const section = (title, headers, rows) => {
    const kept = rows.filter(Boolean);
    return [h("h2", {}, title), kept.length === 0 ? h("p", { class: "muted" }, only ? "No changes." : "None.")
      : h("table", { class: "diff" }, h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, kept))];
  };
  show(root,
    h("h1", {}, "Run ", runLink(diff.a), " against ", runLink(diff.b)),
    form,
    h("p", { class: "muted" }, `${diff.a.pipeline}: ${diff.a.version.slice(0, 12)} and ${diff.b.version.slice(0, 12)}${diff.a.version === diff.b.version ? " (the same version)" : ""}`),
    section("Parameters", ["", `#${diff.a.id}`, `#${diff.b.id}`], parameterRows),
    section("Inputs", ["", `#${diff.a.id}`, `#${diff.b.id}`, "Change"], inputRows),
    section("Steps", ["", "Component", "State", "Cache", "Parameters changed"], stepRows),
    section("Metrics", ["", `#${diff.a.id}`, `#${diff.b.id}`, "Δ"], metricRows),
    h("p", {}, h("a", { href: `/ui/ns/${ns}/metrics?runs=${diff.a.id},${diff.b.id}` }, "Their metric curves →")));
  rendered();
}
