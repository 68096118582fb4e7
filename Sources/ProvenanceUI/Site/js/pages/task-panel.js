// The side panel of a run page: one task's state and why it waits, its parameters, its inputs and outputs (links
// to their artifacts), its cache hit, its attempts, and the logs of an attempt, followed while it runs.

import { get, inNamespace, query } from "../api.js";
import { definitionTable, errorBox, formatDuration, formatTime, formatValue, h, show, stateBadge, table } from "../dom.js";

const LOG_PAGE = 2000;
const FINAL_TASK_STATES = new Set(["SUCCEEDED", "FAILED", "CACHED", "SKIPPED", "CANCELED"]);

export class TaskPanel {
  constructor(container, namespace, { onClose }) {
    this.container = container;
    this.namespace = namespace;
    this.ns = encodeURIComponent(namespace);
    this.onClose = onClose;
    this.task = null;
    this.attempt = null;
    this.lastSeq = 0;
    this.logBox = null;
    this.loadingLogs = false;
  }

  /** Shows `task` (from the run's details or `GET /tasks/{id}`). */
  show(task) {
    const sameAttempt = this.task && this.task.id === task.id && this.attempt;
    this.task = task;
    const attempts = task.attempts || [];
    if (!sameAttempt || !attempts.some((a) => a.number === this.attempt)) {
      this.attempt = attempts.length ? attempts[attempts.length - 1].number : null;
      this.lastSeq = 0;
      this.logBox = null;
    }
    this.draw();
  }

  /** Reads the task again (after one of its events). */
  async refresh() {
    if (!this.task) return;
    try {
      this.show(await get(inNamespace(this.namespace, `tasks/${this.task.id}`)));
    } catch (error) {
      show(this.container, errorBox(error));
    }
  }

  /** A `log` event of the stream: new lines of one attempt. */
  onLog(event) {
    if (this.task && event.task_id === this.task.id && event.attempt === this.attempt && event.last_seq > this.lastSeq) this.loadLogs();
  }

  draw() {
    const task = this.task;
    const ns = this.ns;
    const link = (item) => h("li", {},
      h("a", { href: `/ui/ns/${ns}/artifacts/${item.artifact_id}` }, `${item.name}: ${item.type} #${item.artifact_id}`),
      item.uri ? h("div", { class: "uri" }, item.uri) : null);
    const attempts = task.attempts || [];
    const attemptRows = attempts.map((a) => [
      h("button", { type: "button", class: a.number === this.attempt ? "link current" : "link", onclick: () => {
        this.attempt = a.number;
        this.lastSeq = 0;
        this.logBox = null;
        this.draw();
      } }, `#${a.number}`),
      stateBadge(a.state), a.executor ? a.executor.name : "", formatTime(a.start_time_since_epoch).slice(11),
      formatDuration(a.duration_ms), a.exit_code ?? "", a.error || "",
    ]);
    const cached = task.cached_from ? h("p", { class: "cache" }, "Served from the cache: ", this.cacheLink(task.cached_from)) : null;
    // The same attempt's logs stay as they are (with their scroll position); another attempt's start afresh.
    const keepLogs = this.logBox && this.logBox.dataset.attempt === String(this.attempt);
    if (!keepLogs) {
      this.logBox = h("pre", { class: "logs", "aria-label": "Logs", tabindex: 0, "data-attempt": this.attempt }, this.attempt ? "" : "No attempt yet.");
      this.lastSeq = 0;
    }
    show(this.container,
      h("div", { class: "panel-head" },
        h("h2", {}, task.step, " ", stateBadge(task.state)),
        h("button", { type: "button", class: "close", title: "Close (Esc)", "aria-label": "Close", onclick: () => this.onClose() }, "×")),
      h("p", { class: "muted" }, `${task.component} · task #${task.id}`),
      task.wait_reason ? h("p", { class: "wait", "data-wait": true }, task.wait_reason.charAt(0).toUpperCase() + task.wait_reason.slice(1)) : null,
      task.error ? h("p", { class: "error" }, task.error) : null,
      cached,
      h("dl", { class: "times" },
        h("dt", {}, "Queued"), h("dd", {}, formatTime(task.queue_time_since_epoch) || "—"),
        h("dt", {}, "Started"), h("dd", {}, formatTime(task.start_time_since_epoch) || "—"),
        h("dt", {}, "Duration"), h("dd", {}, formatDuration(task.duration_ms) || "—")),
      h("h3", {}, "Parameters"), definitionTable(task.parameters, formatValue),
      h("h3", {}, "Inputs"), task.inputs.length ? h("ul", { class: "artifacts" }, task.inputs.map(link)) : h("p", { class: "muted" }, "None."),
      h("h3", {}, "Outputs"), task.outputs.length ? h("ul", { class: "artifacts" }, task.outputs.map(link)) : h("p", { class: "muted" }, FINAL_TASK_STATES.has(task.state) ? "None." : "None yet."),
      h("h3", {}, "Attempts"),
      attempts.length ? table(["", "State", "Executor", "Started", "Duration", "Exit", "Error"], attemptRows, { class: "attempts" }) : h("p", { class: "muted" }, "None yet."),
      h("h3", {}, "Logs", this.attempt ? ` of attempt #${this.attempt}` : ""),
      this.logBox);
    if (this.attempt) this.loadLogs();
  }

  cacheLink(taskId) {
    const anchor = h("a", { href: "#" }, `task #${taskId}`);
    get(inNamespace(this.namespace, `tasks/${taskId}`)).then((source) => {
      anchor.setAttribute("href", `/ui/ns/${this.ns}/runs/${source.run_id}?task=${encodeURIComponent(source.step)}`);
      anchor.textContent = `${source.step} of run #${source.run_id}`;
    }).catch(() => {});
    return anchor;
  }

  async loadLogs() {
    if (this.loadingLogs) {
      this.logsAgain = true;
      return;
    }
    this.loadingLogs = true;
    const box = this.logBox;
    try {
      do {
        this.logsAgain = false;
        const answer = await get(inNamespace(this.namespace,
          `tasks/${this.task.id}/logs${query({ attempt: this.attempt, after: this.lastSeq || undefined, limit: LOG_PAGE })}`));
        if (box !== this.logBox) return;
        const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
        const fragment = document.createDocumentFragment();
        for (const line of answer.lines) {
          fragment.append(h("span", { class: line.stream === "stderr" ? "stderr" : null }, `${line.text}\n`));
          this.lastSeq = Math.max(this.lastSeq, line.seq);
        }
        if (this.lastSeq === 0 && answer.lines.length === 0 && !box.textContent) box.textContent = "No output yet.";
        else if (answer.lines.length && box.textContent === "No output yet.") box.textContent = "";
        box.append(fragment);
        if (atBottom) box.scrollTop = box.scrollHeight;
        if (answer.lines.length === LOG_PAGE) this.logsAgain = true;
      } while (this.logsAgain);
    } catch (error) {
      box.append(h("span", { class: "stderr" }, `(logs: ${error.message})\n`));
    } finally {
      this.loadingLogs = false;
    }
  }
}
