// A pipeline: its versions (newest first), the steps of the one picked drawn as a DAG, its parameters, and its runs.

import { get, inNamespace, query } from "../api.js";
import { definitionTable, formatTime, formatValue, h, show, table } from "../dom.js";
import { GraphView } from "../graph-view.js";
import { stepEdges } from "./run.js";

/** An input's source as words: another step's output, or a selector of existing artifacts. */
function describeSource(source) {
  if (typeof source === "string") return source;
  const select = source && source.select;
  if (!select) return JSON.stringify(source);
  const words = [`the ${select.state ? `${select.state} ` : ""}${select.type || "artifact"}`];
  if (select.filter) words.push(`where ${select.filter}`);
  if (select.scope) words.push(`(in this ${select.scope})`);
  if (source.optional) words.push("if any");
  return words.join(" ");
}

export async function render({ root, namespace, parameters, search, onDispose, isCurrent, rendered }) {
  const ns = encodeURIComponent(namespace);
  const name = parameters[1];
  const [pipeline, versions] = await Promise.all([
    get(inNamespace(namespace, `pipelines/${encodeURIComponent(name)}`)),
    get(inNamespace(namespace, `pipelines/${encodeURIComponent(name)}/versions?page_size=100`)),
  ]);
  if (!isCurrent()) return;
  document.title = `${name} · Provenance`;
  const list = versions.versions || [];
  const picked = list.find((v) => v.version === search.get("version")) || pipeline.latest || list[0];
  const spec = picked.spec;
  const versionRows = list.map((v) => [
    h("a", { href: `/ui/ns/${ns}/pipelines/${encodeURIComponent(name)}${query({ version: v.version })}`, "aria-current": v.version === picked.version ? "true" : null, title: v.version }, v.version.slice(0, 12)),
    formatTime(v.create_time_since_epoch), Object.keys(v.spec.steps || {}).length,
    h("a", { href: `/ui/ns/${ns}/runs?pipeline=${encodeURIComponent(name)}` }, "runs"),
  ]);
  const dagBox = h("div", { class: "dag small", id: "pipeline-dag" });
  const stepRows = Object.entries(spec.steps || {}).map(([step, body]) => [
    step, body.component,
    Object.entries(body.inputs || {}).map(([input, source]) => `${input} ← ${describeSource(source)}`).join("; "),
    Object.entries(body.executor_labels || {}).map(([k, v]) => `${k}=${v}`).join(", "),
  ]);
  show(root,
    h("h1", {}, name),
    spec.description ? h("p", {}, spec.description) : null,
    h("h2", {}, "Steps of version ", h("span", { title: picked.version }, picked.version.slice(0, 12))),
    dagBox,
    table(["Step", "Component", "Inputs", "Executor labels"], stepRows, { class: "steps" }),
    h("h2", {}, "Parameters"),
    definitionTable(Object.fromEntries(Object.entries(spec.parameters || {}).map(([k, v]) => [k, `${v.type}${v.default !== undefined ? ` = ${formatValue(v.default)}` : ""}`]))),
    h("h2", {}, `Versions (${list.length})`),
    table(["Version", "Applied", "Steps", ""], versionRows, { class: "versions" }));
  const graph = new GraphView(dagBox, { label: `Steps of ${name}` });
  onDispose(() => graph.destroy());
  graph.render(Object.keys(spec.steps || {}).map((step) => ({ id: step, label: step, sublabel: spec.steps[step].component, kind: "task", state: "step", href: "#" })), stepEdges(spec));
  rendered();
}
