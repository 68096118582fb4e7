// A run: its DAG with task states changing live, its parameters and labels, and the task picked (from the DAG or
// the address, `?task=STEP`) in a side panel. Cancel and retry for those who may.

import { EventStream, get, inNamespace, post } from "../api.js";
import { definitionTable, errorBox, formatDuration, formatTime, formatValue, h, labelChips, show, stateBadge } from "../dom.js";
import { GraphView } from "../graph-view.js";
import { TaskPanel } from "./task-panel.js";

const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELED"]);

/** The edges of a pipeline version's spec: an input taken from another step's output, or an `after`. */
export function stepEdges(spec) {
  const edges = [];
  for (const [step, body] of Object.entries(spec.steps || {})) {
    for (const source of Object.values(body.inputs || {})) {
      const reference = typeof source === "string" ? source : source && source.from;
      if (typeof reference === "string" && reference.includes(".")) edges.push({ from: reference.split(".")[0], to: step, kind: "data" });
    }
    for (const before of body.after || []) edges.push({ from: before, to: step, kind: "after" });
  }
  return edges;
}

export async function render({ root, namespace, parameters, search, whoami, onDispose, isCurrent, rendered }) {
  const ns = encodeURIComponent(namespace);
  const id = Number(parameters[1]);
  const run = await get(inNamespace(namespace, `runs/${id}`));
  const version = await get(inNamespace(namespace, `pipelines/${encodeURIComponent(run.pipeline)}/versions/${run.version}`));
  if (!isCurrent()) return;
  document.title = `Run #${id} · ${run.pipeline} · Provenance`;
  const tasks = new Map(run.tasks.map((task) => [task.step, task]));
  const byId = new Map(run.tasks.map((task) => [task.id, task]));
  const href = (step) => `/ui/ns/${ns}/runs/${id}?task=${encodeURIComponent(step)}`;
  const sublabel = (task) => task.cache_hit ? `${task.state} · cached` : task.state;

  const headerState = h("span", {}, stateBadge(run.state));
  const duration = h("span", {}, formatDuration(run.duration_ms));
  const canWrite = whoami.roles.includes("writer") || whoami.roles.includes("admin");
  const message = h("div");
  const act = (verb) => async () => {
    try {
      await post(inNamespace(namespace, `runs/${id}:${verb}`), {});
      show(message, h("p", { class: "notice" }, verb === "cancel" ? "Cancel requested." : "Retry submitted."));
    } catch (error) {
      show(message, errorBox(error));
    }
  };
  const counts = h("span", { class: "task-counts" });
  const showCounts = () => {
    const byState = new Map();
    for (const task of run.tasks) byState.set(task.state, (byState.get(task.state) || 0) + 1);
    show(counts, `${run.tasks.length}: `, [...byState].sort().map(([state, n], i) => [i ? ", " : "", `${n} `, stateBadge(state)]));
  };
  showCounts();
  const finder = h("input", { type: "search", id: "find-task", list: "task-names", placeholder: "Find a task (/)", size: 22, "aria-label": "Find a task" });
  const finderForm = h("form", { class: "finder", role: "search" }, finder,
    h("datalist", { id: "task-names" }, run.tasks.map((task) => h("option", { value: task.step }))));
  finderForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const step = finder.value.trim();
    if (!tasks.has(step)) {
      finder.setCustomValidity(`no task named ${step}`);
      finder.reportValidity();
      return;
    }
    finder.setCustomValidity("");
    pick(step);
    graph.center(step);
  });
  // Cancel while the run is unfinished, retry once it failed or was canceled; neither for a reader.
  const cancelButton = h("button", { type: "button", onclick: act("cancel"), hidden: true }, "Cancel");
  const retryButton = h("button", { type: "button", onclick: act("retry"), hidden: true }, "Retry failed");
  const showActions = (state) => {
    cancelButton.hidden = !canWrite || FINAL.has(state) || state === "CANCELING";
    retryButton.hidden = !canWrite || !(state === "FAILED" || state === "CANCELED");
  };
  showActions(run.state);
  const dagBox = h("div", { class: "dag", id: "dag" });
  const panelBox = h("aside", { class: "task-panel", id: "task-panel", "aria-label": "Task", hidden: true });
  const live = h("span", { class: "live", title: "Live updates" }, "○ connecting");

  show(root,
    h("div", { class: "run-head" },
      h("h1", {}, `Run #${id} `, headerState),
      h("div", { class: "actions" },
        live,
        cancelButton, retryButton,
        h("a", { class: "button", href: `/ui/ns/${ns}/metrics?runs=${id}` }, "Metrics"),
        h("a", { class: "button", href: `/ui/ns/${ns}/runs?pipeline=${encodeURIComponent(run.pipeline)}` }, "Other runs"))),
    message,
    h("dl", { class: "facts" },
      h("dt", {}, "Pipeline"), h("dd", {}, h("a", { href: `/ui/ns/${ns}/pipelines/${encodeURIComponent(run.pipeline)}` }, run.pipeline),
        " ", h("span", { class: "muted", title: run.version }, run.version.slice(0, 12))),
      h("dt", {}, "Created"), h("dd", {}, formatTime(run.create_time_since_epoch)),
      run.schedule ? [h("dt", {}, "Scheduled"), h("dd", {}, run.schedule.name
        ? ["by ", h("a", { href: `/ui/ns/${ns}/schedules/${encodeURIComponent(run.schedule.name)}` }, run.schedule.name), ` for ${run.schedule.scheduled_time}`]
        : `for ${run.schedule.scheduled_time}`)] : null,
      h("dt", {}, "Duration"), h("dd", {}, duration),
      h("dt", {}, "Labels"), h("dd", {}, labelChips(run.labels)),
      h("dt", {}, "Tasks"), h("dd", {}, counts)),
    h("div", { class: "run-tools" },
      h("details", { class: "parameters" }, h("summary", {}, "Parameters"), definitionTable(run.parameters, formatValue)),
      finderForm),
    h("div", { class: "run-layout" }, dagBox, panelBox));

  const graph = new GraphView(dagBox, {
    label: `DAG of run ${id}`,
    onActivate: (step) => {
      pick(step);
      return true;
    },
  });
  onDispose(() => graph.destroy());
  const panel = new TaskPanel(panelBox, namespace, { onClose: () => pick(null) });
  function pick(step) {
    const url = new URL(location.href);
    if (step) url.searchParams.set("task", step); else url.searchParams.delete("task");
    history.replaceState(null, "", url);
    panelBox.hidden = !step;
    graph.select(step);
    if (step && tasks.has(step)) panel.show(tasks.get(step));
  }
  const nodes = run.tasks.map((task) => ({
    id: task.step, label: task.step, sublabel: sublabel(task), state: task.state, kind: "task", href: href(task.step),
    title: `${task.step} (${task.component}): ${task.state}${task.wait_reason ? `, waiting: ${task.wait_reason}` : ""}`,
  }));
  graph.render(nodes, stepEdges(version.spec));
  if (search.get("task")) pick(search.get("task"));
  rendered();

  const onKey = (event) => {
    if (event.key === "Escape" && !panelBox.hidden) pick(null);
  };
  document.addEventListener("keydown", onKey);
  onDispose(() => document.removeEventListener("keydown", onKey));

  let refreshing = null;
  let countsChanged = false;
  let countsTimer = null;
  const scheduleCounts = () => {
    if (countsTimer) return;
    countsTimer = setTimeout(() => {
      countsTimer = null;
      countsChanged = false;
      showCounts();
    }, 200);
  };
  const refreshPanel = () => {
    if (panelBox.hidden || refreshing) return;
    refreshing = setTimeout(() => {
      refreshing = null;
      panel.refresh();
    }, 100);
  };
  const stream = new EventStream(namespace, { run: id, kind: "run,tasks,attempts,log" }, {
    onEvent: (kind, data) => {
      if (kind === "tasks") {
        for (const change of data.tasks) {
          const task = byId.get(change.task_id);
          if (!task) continue;
          task.state = change.state;
          graph.setState(task.step, change.state, sublabel(task));
          countsChanged = true;
          if (panel.task && panel.task.id === task.id) refreshPanel();
        }
        if (countsChanged) scheduleCounts();
      } else if (kind === "run") {
        show(headerState, stateBadge(data.state));
        showActions(data.state);
        if (FINAL.has(data.state)) get(inNamespace(namespace, `runs/${id}`)).then((fresh) => show(duration, formatDuration(fresh.duration_ms))).catch(() => {});
      } else if (kind === "attempts") {
        if (panel.task && data.attempts.some((a) => a.task_id === panel.task.id)) refreshPanel();
      } else if (kind === "log") {
        panel.onLog(data);
      }
    },
    onReset: async () => {
      const fresh = await get(inNamespace(namespace, `runs/${id}`));
      for (const task of fresh.tasks) {
        const known = tasks.get(task.step);
        if (known) known.state = task.state;
        graph.setState(task.step, task.state, sublabel(task));
      }
      show(headerState, stateBadge(fresh.state));
      showActions(fresh.state);
      showCounts();
      refreshPanel();
    },
    onState: (state) => {
      live.textContent = state === "live" ? "● live" : state === "refused" ? "○ not live" : "○ reconnecting";
      live.className = `live stream-${state}`;
    },
  });
  onDispose(() => stream.close());
}
