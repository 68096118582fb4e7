// The lineage graph around an artifact: artifacts and executions joined by their events, coloured by kind and
// state. It starts one hop each way; a node at the edge (marked +) opens one more hop when clicked, "Expand all"
// opens one more hop everywhere, and "Upstream"/"Downstream" draw the whole way in one direction.

import { post, inNamespace } from "../api.js";
import { formatProperty, formatTime, h, show, stateBadge, definitionTable } from "../dom.js";
import { GraphView } from "../graph-view.js";

const NODE_LIMIT = 5000;

const key = (kind, id) => `${kind === "artifact" ? "a" : "e"}${id}`;

export class LineageExplorer {
  constructor(container, namespace, { onDispose, onChange }) {
    this.namespace = namespace;
    this.ns = encodeURIComponent(namespace);
    this.onChange = onChange || (() => {});
    this.nodes = new Map(); // key -> {kind, node, expanded}
    this.edges = new Map(); // "from>to" -> {from, to}
    this.status = h("p", { class: "muted lineage-status" });
    this.detail = h("aside", { class: "node-detail", hidden: true, "aria-label": "Node" });
    const graphBox = h("div", { class: "dag lineage" });
    container.replaceChildren(
      h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => this.expandAll() }, "Expand all one hop"),
        h("button", { type: "button", onclick: () => this.walk("UPSTREAM") }, "Upstream: what made it"),
        h("button", { type: "button", onclick: () => this.walk("DOWNSTREAM") }, "Downstream: what it reached"),
        h("span", { class: "legend" },
          h("span", { class: "key kind-artifact" }, "artifact"), h("span", { class: "key kind-execution" }, "execution"),
          h("span", { class: "key frontier" }, "+ more beyond"))),
      this.status,
      h("div", { class: "run-layout" }, graphBox, this.detail));
    this.graph = new GraphView(graphBox, {
      label: "Lineage graph",
      onActivate: (id) => {
        this.activate(id);
        return true;
      },
    });
    onDispose(() => this.graph.destroy());
  }

  /** Starts from artifact `id`, one hop each way. */
  async start(id) {
    this.origin = key("artifact", id);
    await this.query({ starting_artifacts: { ids: [id] }, direction: "BIDIRECTIONAL", max_num_hops: 1 }, [this.origin]);
  }

  /** Draws the whole lineage in one direction from the origin. */
  async walk(direction) {
    const id = Number(this.origin.slice(1));
    await this.query({ starting_artifacts: { ids: [id] }, direction, max_num_hops: 10000 }, [], { complete: direction });
  }

  async expandAll() {
    const frontier = [...this.nodes.entries()].filter(([, entry]) => !entry.expanded).map(([k]) => k);
    await this.expand(frontier);
  }

  async activate(id) {
    const entry = this.nodes.get(id);
    if (!entry) return;
    if (!entry.expanded) await this.expand([id]);
    this.showDetail(id);
  }

  async expand(keys) {
    if (keys.length === 0) return;
    const artifacts = keys.filter((k) => k[0] === "a").map((k) => Number(k.slice(1)));
    const executions = keys.filter((k) => k[0] === "e").map((k) => Number(k.slice(1)));
    const body = { direction: "BIDIRECTIONAL", max_num_hops: 1 };
    if (artifacts.length) body.starting_artifacts = { ids: artifacts };
    if (executions.length) body.starting_executions = { ids: executions };
    await this.query(body, keys);
  }

  async query(body, expanded, { complete } = {}) {
    this.status.textContent = "Loading…";
    const started = performance.now();
    const answer = await post(inNamespace(this.namespace, "lineage:query"), {
      ...body, max_node_size: NODE_LIMIT, read_mask: ["artifacts", "executions", "events"],
    });
    const before = this.nodes.size;
    for (const artifact of answer.artifacts || []) this.add("artifact", artifact);
    for (const execution of answer.executions || []) this.add("execution", execution);
    for (const event of answer.events || []) {
      const artifact = key("artifact", event.artifact_id);
      const execution = key("execution", event.execution_id);
      if (!this.nodes.has(artifact) || !this.nodes.has(execution)) continue;
      const [from, to] = String(event.type).includes("INPUT") ? [artifact, execution] : [execution, artifact];
      this.edges.set(`${from}>${to}`, { from, to });
    }
    for (const k of expanded) if (this.nodes.has(k)) this.nodes.get(k).expanded = true;
    if (complete) this.markComplete();
    // An expansion keeps the view where the user looks; a whole walk is drawn to fit.
    this.draw(before > 0 && !complete);
    const added = this.nodes.size - before;
    this.status.textContent = `${this.nodes.size} nodes, ${this.edges.size} edges${added && before ? ` (${added} new)` : ""}` +
      `${answer.truncated ? `; more were reachable than the ${NODE_LIMIT} shown` : ""} · ${Math.round(performance.now() - started)} ms`;
    this.onChange();
  }

  /** After a whole walk one way, every node reached counts as opened (its other side, if any, is one click on
   * "Expand all one hop" away). */
  markComplete() {
    for (const entry of this.nodes.values()) entry.expanded = true;
  }

  add(kind, node) {
    const k = key(kind, node.id);
    const known = this.nodes.get(k);
    if (known) known.node = node;
    else this.nodes.set(k, { kind, node, expanded: false });
  }

  draw(keepView) {
    const nodes = [];
    for (const [k, { kind, node, expanded }] of this.nodes) {
      const state = kind === "artifact" ? node.state : node.last_known_state;
      // An execution is labelled by what ran (its type): its name is mostly an id (an OpenLineage runId), shown
      // in its detail.
      const named = kind === "artifact" && node.name;
      nodes.push({
        id: k, kind, state: state || "UNKNOWN", badge: expanded ? null : "+",
        label: named ? node.name : `${node.type} #${node.id}`,
        sublabel: [named ? `${node.type} #${node.id}` : null, state, kind === "artifact" && node.uri ? node.uri.split("/").pop() : null]
          .filter(Boolean).join(" · "),
        href: this.href(kind, node) || "#",
        title: `${kind} ${node.id}: ${node.type}${node.uri ? ` at ${node.uri}` : ""}${expanded ? "" : " (click to open one more hop)"}`,
      });
    }
    this.graph.render(nodes, [...this.edges.values()], { keepView });
    if (this.origin) this.graph.select(this.origin);
  }

  /** The page of a node: an artifact's own, an execution's run (when a run of the engine made it). */
  href(kind, node) {
    if (kind === "artifact") return `/ui/ns/${this.ns}/artifacts/${node.id}`;
    const run = node.custom_properties && node.custom_properties.run_id;
    const step = node.custom_properties && node.custom_properties.step;
    if (!run || !step) return null;
    return `/ui/ns/${this.ns}/runs/${run.int}?task=${encodeURIComponent(step.string)}`;
  }

  showDetail(id) {
    const entry = this.nodes.get(id);
    if (!entry) return;
    const { kind, node } = entry;
    const state = kind === "artifact" ? node.state : node.last_known_state;
    this.graph.select(id);
    this.detail.hidden = false;
    show(this.detail,
      h("div", { class: "panel-head" },
        h("h2", {}, `${node.type} #${node.id} `, stateBadge(state)),
        h("button", { type: "button", class: "close", "aria-label": "Close", onclick: () => { this.detail.hidden = true; } }, "×")),
      node.name ? h("p", {}, node.name) : null,
      node.uri ? h("p", { class: "uri" }, node.uri) : null,
      h("p", { class: "muted" }, `Created ${formatTime(node.create_time_since_epoch)}`),
      this.href(kind, node) ? h("p", {}, h("a", { href: this.href(kind, node) }, kind === "artifact" ? "Open this artifact" : "Open its run")) : null,
      h("h3", {}, "Properties"), definitionTable({ ...node.properties, ...node.custom_properties }, formatProperty));
  }
}
