// A line chart of downsampled series: for each run a band from each bucket's min to its max (so a spike shows
// however many points share its bucket) and a line through each bucket's last value. Dragging across the plot
// (or the zoom buttons) asks for a step range, which the page reads again at finer buckets; double-click resets.

import { escapeMarkup, formatNumber, h } from "./dom.js";

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f", "#7c3aed", "#b45309"];
const HEIGHT = 260;
const MARGIN = { left: 64, right: 16, top: 12, bottom: 28 };

function ticks(low, high, count) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const values = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) values.push(value);
  return values;
}

export class LineChart {
  /** `onZoom(from, to)` gets a step range (both null to reset). */
  constructor(container, { name, onZoom }) {
    this.name = name;
    this.onZoom = onZoom;
    this.svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    this.svg.setAttribute("class", "chart");
    this.svg.setAttribute("role", "img");
    this.tooltip = h("div", { class: "chart-tooltip", hidden: true });
    this.box = h("div", { class: "chart-box" }, this.svg, this.tooltip);
    container.append(this.box);
    this.listen();
  }

  /**
   * Draws `series` (`[{label, color, width, buckets: {step, min, max, last, last_step, count}}]`) over steps
   * `range` ({from, to}, or the data's own when absent).
   */
  render(series, range) {
    this.series = series;
    this.tooltip.hidden = true;
    const width = Math.max(320, Math.floor(this.box.clientWidth || 800));
    this.width = width;
    let xLow = Infinity, xHigh = -Infinity, yLow = Infinity, yHigh = -Infinity, points = 0;
    for (const s of series) {
      const b = s.buckets;
      for (let i = 0; i < b.step.length; i++) {
        xLow = Math.min(xLow, b.step[i]);
        xHigh = Math.max(xHigh, b.last_step[i]);
        yLow = Math.min(yLow, b.min[i]);
        yHigh = Math.max(yHigh, b.max[i]);
        points += b.count[i];
      }
    }
    if (range && range.from !== null && range.from !== undefined) xLow = range.from;
    if (range && range.to !== null && range.to !== undefined) xHigh = range.to;
    if (!Number.isFinite(xLow)) { xLow = 0; xHigh = 1; yLow = 0; yHigh = 1; }
    if (xHigh === xLow) xHigh = xLow + 1;
    if (yHigh === yLow) { yHigh += Math.abs(yHigh) * 0.05 || 1; yLow -= Math.abs(yLow) * 0.05 || 1; }
    const pad = (yHigh - yLow) * 0.04;
    yLow -= pad;
    yHigh += pad;
    const plotWidth = width - MARGIN.left - MARGIN.right;
    const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
    const x = (step) => MARGIN.left + ((step - xLow) / (xHigh - xLow)) * plotWidth;
    const y = (value) => MARGIN.top + (1 - (value - yLow) / (yHigh - yLow)) * plotHeight;
    this.scale = { x, xLow, xHigh, plotWidth };

    const parts = [`<rect class="plot" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}"/>`];
    for (const value of ticks(yLow, yHigh, 5)) {
      parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(value)}" y2="${y(value)}"/>`);
      parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${escapeMarkup(formatNumber(value))}</text>`);
    }
    // Steps are whole numbers: no tick between two of them.
    for (const value of ticks(xLow, xHigh, 6).filter((step) => Number.isInteger(Math.round(step * 1e9) / 1e9))) {
      parts.push(`<text class="tick" x="${x(value)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeMarkup(formatNumber(value))}</text>`);
    }
    parts.push(`<clipPath id="clip-${escapeMarkup(this.name)}"><rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}"/></clipPath>`);
    parts.push(`<g clip-path="url(#clip-${escapeMarkup(this.name)})">`);
    for (const s of series) {
      const b = s.buckets;
      const n = b.step.length;
      const middle = (i) => x(Math.min(b.step[i] + (s.width || 1) / 2, b.last_step[i]));
      let upper = "", lower = "", line = "", max = -Infinity;
      for (let i = 0; i < n; i++) {
        upper += `${i ? "L" : "M"}${x(b.step[i]).toFixed(1)},${y(b.max[i]).toFixed(1)}L${x(b.last_step[i]).toFixed(1)},${y(b.max[i]).toFixed(1)}`;
        line += `${i ? "L" : "M"}${x(b.last_step[i]).toFixed(1)},${y(b.last[i]).toFixed(1)}`;
        max = Math.max(max, b.max[i]);
      }
      for (let i = n - 1; i >= 0; i--) {
        lower += `L${x(b.last_step[i]).toFixed(1)},${y(b.min[i]).toFixed(1)}L${x(b.step[i]).toFixed(1)},${y(b.min[i]).toFixed(1)}`;
      }
      const label = escapeMarkup(s.label);
      parts.push(`<g class="series" data-label="${label}" data-buckets="${n}" data-max="${max}">`);
      if (n) parts.push(`<path class="band" fill="${s.color}" d="${upper}${lower}Z"/>`);
      if (n) parts.push(`<path class="line" stroke="${s.color}" d="${line}"/>`);
      if (n === 1) parts.push(`<circle class="dot" fill="${s.color}" r="3" cx="${middle(0)}" cy="${y(b.last[0])}"/>`);
      parts.push("</g>");
    }
    parts.push("</g>");
    parts.push(`<rect class="selection" y="${MARGIN.top}" height="${plotHeight}" width="0" x="0"/>`);
    parts.push(`<line class="cursor" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" x1="-10" x2="-10"/>`);
    this.svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", HEIGHT);
    this.svg.setAttribute("aria-label", `${this.name}: ${series.length} series, ${points} points in ${series.reduce((n, s) => n + s.buckets.step.length, 0)} buckets`);
    this.svg.dataset.points = String(points);
    this.svg.innerHTML = parts.join("");
  }

  stepAt(clientX) {
    const box = this.svg.getBoundingClientRect();
    const px = ((clientX - box.left) / box.width) * this.width;
    const { xLow, xHigh, plotWidth } = this.scale;
    return xLow + ((px - MARGIN.left) / plotWidth) * (xHigh - xLow);
  }

  listen() {
    let start = null;
    this.svg.addEventListener("pointerdown", (event) => {
      if (!this.scale) return;
      start = event.clientX;
      this.svg.setPointerCapture(event.pointerId);
    });
    this.svg.addEventListener("pointermove", (event) => {
      if (!this.scale) return;
      const box = this.svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * this.width;
      const cursor = this.svg.querySelector(".cursor");
      cursor.setAttribute("x1", px);
      cursor.setAttribute("x2", px);
      this.showTooltip(this.stepAt(event.clientX), event.clientX - box.left);
      if (start === null) return;
      const from = ((Math.min(start, event.clientX) - box.left) / box.width) * this.width;
      const to = ((Math.max(start, event.clientX) - box.left) / box.width) * this.width;
      const selection = this.svg.querySelector(".selection");
      selection.setAttribute("x", from);
      selection.setAttribute("width", to - from);
    });
    this.svg.addEventListener("pointerup", (event) => {
      if (start === null) return;
      const a = this.stepAt(start);
      const b = this.stepAt(event.clientX);
      start = null;
      this.svg.querySelector(".selection").setAttribute("width", 0);
      const from = Math.max(0, Math.floor(Math.min(a, b)));
      const to = Math.ceil(Math.max(a, b));
      if (to - from >= 2 && Math.abs(b - a) / (this.scale.xHigh - this.scale.xLow) > 0.01) this.onZoom(from, to);
    });
    this.svg.addEventListener("pointerleave", () => { this.tooltip.hidden = true; });
    this.svg.addEventListener("dblclick", () => this.onZoom(null, null));
  }

  showTooltip(step, left) {
    const lines = [];
    for (const s of this.series || []) {
      const b = s.buckets;
      let best = -1;
      for (let i = 0; i < b.step.length; i++) if (b.step[i] <= step) best = i;
      if (best < 0) continue;
      lines.push(h("div", {}, `${s.label}: ${formatNumber(b.last[best])} (min ${formatNumber(b.min[best])}, max ${formatNumber(b.max[best])}, ${b.count[best]} pts, steps ${b.step[best]}–${b.last_step[best]})`));
    }
    this.tooltip.replaceChildren(h("div", { class: "muted" }, `step ≈ ${Math.round(step)}`), ...lines);
    this.tooltip.hidden = lines.length === 0;
    this.tooltip.style.left = `${Math.min(left + 12, this.width - 280)}px`;
  }
}
