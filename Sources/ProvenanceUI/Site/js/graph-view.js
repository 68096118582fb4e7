// Draws a laid-out graph as SVG: nodes as links (focusable, Enter opens them), edges as curves, with panning
// (drag), zooming (wheel, + and -, buttons) and fitting. The markup is built as one string and set once, and a
// node's state changes in place, so a graph of thousands of nodes draws and updates without a redraw.

import { layeredLayout } from "./dag-layout.js";
import { escapeMarkup, h } from "./dom.js";

const NODE_WIDTH = 168;
const NODE_HEIGHT = 38;

function clip(text, length) {
  const value = String(text ?? "");
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

export class GraphView {
  /**
   * `onActivate(id, event)` is called when a node is clicked or opened from the keyboard; returning true keeps the
   * link from being followed.
   */
  constructor(container, { onActivate, label = "Graph" } = {}) {
    this.container = container;
    this.onActivate = onActivate;
    this.svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    this.svg.setAttribute("class", "graph");
    this.svg.setAttribute("role", "group");
    this.svg.setAttribute("aria-label", label);
    this.controls = h("div", { class: "graph-controls" },
      h("button", { type: "button", title: "Zoom in (+)", onclick: () => this.zoom(0.8) }, "+"),
      h("button", { type: "button", title: "Zoom out (-)", onclick: () => this.zoom(1.25) }, "−"),
      h("button", { type: "button", title: "Fit (0)", onclick: () => this.fit() }, "Fit"));
    container.replaceChildren(this.controls, this.svg);
    this.nodes = new Map();
    this.view = { x: 0, y: 0, width: 100, height: 100 };
    this.listen();
    // The graph keeps fitting its box as the box changes (a panel opens, the window is resized) until the user
    // pans or zooms.
    this.resizeObserver = new ResizeObserver(() => { if (!this.userMoved && this.layout) this.fit(); });
    this.resizeObserver.observe(this.svg);
  }

  /**
   * Draws `nodes` (`{id, label, sublabel, kind, state, href, badge, title}`) and `edges` (`{from, to, kind}`),
   * keeping the view where it was when `keepView`.
   */
  render(nodes, edges, { keepView = false } = {}) {
    const layout = layeredLayout(nodes, edges, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT });
    this.layout = layout;
    const parts = [];
    parts.push('<g class="edges">');
    for (const edge of edges) {
      const from = layout.positions.get(edge.from);
      const to = layout.positions.get(edge.to);
      if (!from || !to) continue;
      const x1 = from.x + NODE_WIDTH;
      const y1 = from.y + NODE_HEIGHT / 2;
      const x2 = to.x;
      const y2 = to.y + NODE_HEIGHT / 2;
      const bend = Math.max(30, (x2 - x1) / 2);
      const span = to.layer - from.layer;
      let d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
      if (span > 1 && Math.abs(y1 - y2) < NODE_HEIGHT) {
        // An edge past the layers between would run through their nodes: it arcs over them instead.
        const lift = Math.min(y1, y2) - NODE_HEIGHT / 2 - 10 - 8 * span;
        d = `M${x1},${y1} C${x1 + 40},${lift} ${x2 - 40},${lift} ${x2},${y2}`;
      }
      parts.push(`<path class="edge ${edge.kind ? `edge-${escapeMarkup(edge.kind)}` : ""}" data-from="${escapeMarkup(edge.from)}" data-to="${escapeMarkup(edge.to)}" d="${d}"/>`);
    }
    parts.push('</g><g class="nodes">');
    for (const node of nodes) {
      const at = layout.positions.get(node.id);
      const classes = ["node", `kind-${node.kind || "task"}`, `state-${String(node.state || "").toLowerCase()}`];
      if (node.selected) classes.push("selected");
      parts.push(`<a class="${escapeMarkup(classes.join(" "))}" data-id="${escapeMarkup(node.id)}" href="${escapeMarkup(node.href || "#")}" transform="translate(${at.x},${at.y})" aria-label="${escapeMarkup(`${node.label}, ${node.state || node.kind}`)}">`);
      parts.push(`<title>${escapeMarkup(node.title || node.label)}</title>`);
      parts.push(`<rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="${node.kind === "execution" ? 18 : 5}"/>`);
      parts.push(`<text class="label" x="10" y="16">${escapeMarkup(clip(node.label, 22))}</text>`);
      parts.push(`<text class="sublabel" x="10" y="30">${escapeMarkup(clip(node.sublabel || node.state || "", 26))}</text>`);
      if (node.badge) parts.push(`<text class="badge" x="${NODE_WIDTH - 8}" y="16" text-anchor="end">${escapeMarkup(node.badge)}</text>`);
      parts.push("</a>");
    }
    parts.push("</g>");
    this.svg.innerHTML = parts.join("");
    this.nodes = new Map();
    for (const element of this.svg.querySelectorAll("a.node")) this.nodes.set(element.dataset.id, element);
    this.svg.dataset.nodes = String(nodes.length);
    this.svg.dataset.edges = String(edges.length);
    if (!keepView) this.fit();
    else this.apply();
  }

  /** Changes a node's state class (and its second line) in place. */
  setState(id, state, sublabel) {
    const element = this.nodes.get(String(id));
    if (!element) return;
    for (const name of [...element.classList]) if (name.startsWith("state-")) element.classList.remove(name);
    element.classList.add(`state-${String(state).toLowerCase()}`);
    element.setAttribute("aria-label", `${element.querySelector(".label").textContent}, ${state}`);
    element.querySelector(".sublabel").textContent = clip(sublabel ?? state, 26);
  }

  select(id) {
    for (const element of this.svg.querySelectorAll("a.node.selected")) element.classList.remove("selected");
    for (const element of this.svg.querySelectorAll("path.edge.highlight")) element.classList.remove("highlight");
    const element = this.nodes.get(String(id));
    if (!element) return;
    element.classList.add("selected");
    const key = CSS.escape(String(id));
    for (const edge of this.svg.querySelectorAll(`path.edge[data-from="${key}"], path.edge[data-to="${key}"]`)) {
      edge.classList.add("highlight");
    }
  }

  /** Shows the whole graph. */
  fit() {
    this.userMoved = false;
    const layout = this.layout || { width: 100, height: 100 };
    const margin = 20;
    const box = this.svg.getBoundingClientRect();
    const aspect = box.width > 0 && box.height > 0 ? box.width / box.height : 2;
    let width = layout.width + 2 * margin;
    let height = layout.height + 2 * margin;
    // Never blown up past life size: a small graph sits at its natural size.
    width = Math.max(width, height * aspect, box.width || 0);
    height = width / aspect;
    this.view = { x: -margin - (width - layout.width - 2 * margin) / 2, y: -margin - (height - layout.height - 2 * margin) / 2, width, height };
    this.apply();
  }

  /** Centres the view on a node at life size. */
  center(id) {
    const at = this.layout && this.layout.positions.get(id);
    if (!at) return;
    this.userMoved = true;
    const box = this.svg.getBoundingClientRect();
    const width = Math.max(box.width, 400);
    const height = Math.max(box.height, 300);
    this.view = { x: at.x + NODE_WIDTH / 2 - width / 2, y: at.y + NODE_HEIGHT / 2 - height / 2, width, height };
    this.apply();
  }

  zoom(factor, cx, cy) {
    this.userMoved = true;
    const view = this.view;
    const x = cx ?? view.x + view.width / 2;
    const y = cy ?? view.y + view.height / 2;
    this.view = { x: x - (x - view.x) * factor, y: y - (y - view.y) * factor, width: view.width * factor, height: view.height * factor };
    this.apply();
  }

  /** Stops listening to the window (the page is left). */
  destroy() {
    this.resizeObserver.disconnect();
    window.removeEventListener("pointermove", this.onPointerMove);
    window.removeEventListener("pointerup", this.onPointerUp);
  }

  apply() {
    const { x, y, width, height } = this.view;
    this.svg.setAttribute("viewBox", `${x} ${y} ${width} ${height}`);
    // Zoomed far out, labels are too small to read: leaving them out keeps panning smooth at thousands of nodes.
    const scale = (this.svg.getBoundingClientRect().width || width) / width;
    this.svg.classList.toggle("far", scale < 0.35);
  }

  listen() {
    this.svg.addEventListener("click", (event) => {
      const node = event.target.closest("a.node");
      if (!node || this.dragged) {
        if (this.dragged) event.preventDefault();
        return;
      }
      if (this.onActivate && this.onActivate(node.dataset.id, event)) event.preventDefault();
    });
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = this.svg.getBoundingClientRect();
      const cx = this.view.x + ((event.clientX - box.left) / box.width) * this.view.width;
      const cy = this.view.y + ((event.clientY - box.top) / box.height) * this.view.height;
      this.zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, cx, cy);
    }, { passive: false });
    let start = null;
    this.svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      start = { x: event.clientX, y: event.clientY, view: { ...this.view } };
      this.dragged = false;
    });
    this.onPointerMove = (event) => {
      if (!start) return;
      const box = this.svg.getBoundingClientRect();
      const dx = event.clientX - start.x;
      const dy = event.clientY - start.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) this.dragged = true;
      if (!this.dragged) return;
      this.userMoved = true;
      this.view = { ...start.view, x: start.view.x - (dx / box.width) * start.view.width, y: start.view.y - (dy / box.height) * start.view.height };
      this.apply();
    };
    this.onPointerUp = () => {
      start = null;
      setTimeout(() => { this.dragged = false; }, 0);
    };
    window.addEventListener("pointermove", this.onPointerMove);
    window.addEventListener("pointerup", this.onPointerUp);
    this.svg.addEventListener("keydown", (event) => {
      if (event.key === "+" || event.key === "=") this.zoom(0.8);
      else if (event.key === "-") this.zoom(1.25);
      else if (event.key === "0") this.fit();
      else return;
      event.preventDefault();
    });
  }
}
