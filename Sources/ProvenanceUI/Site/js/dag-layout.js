// A layered ("Sugiyama") layout for directed graphs, written for this UI: layers by longest path from the sources
// (a cycle, which lineage may hold, is broken where it blocks), an order within each layer from barycentre sweeps,
// and coordinates that keep chains straight without overlaps. Linear in the edges per sweep, so a few thousand
// nodes lay out in milliseconds.

/**
 * Lays `nodes` (`[{id}]`) and `edges` (`[{from, to}]`) out left to right.
 * Answers `{positions: Map(id -> {x, y, layer}), width, height}`, x and y being each node's top-left corner.
 */
export function layeredLayout(nodes, edges, { nodeWidth = 160, nodeHeight = 36, columnGap = 70, rowGap = 14, sweeps = 4 } = {}) {
  const count = nodes.length;
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const successors = Array.from({ length: count }, () => []);
  const predecessors = Array.from({ length: count }, () => []);
  for (const edge of edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    successors[from].push(to);
    predecessors[to].push(from);
  }

  const layer = assignLayers(count, successors, predecessors);
  const layers = [];
  for (let i = 0; i < count; i++) (layers[layer[i]] ||= []).push(i);
  for (let l = 0; l < layers.length; l++) layers[l] ||= [];

  const pitch = nodeHeight + rowGap;
  const y = new Float64Array(count);
  const centre = (members) => members.forEach((node, i) => { y[node] = (i - (members.length - 1) / 2) * pitch; });
  layers.forEach(centre);
  const reorder = (members, neighbours) => {
    const keyed = members.map((node, i) => {
      const around = neighbours[node];
      if (around.length === 0) return [node, y[node], i];
      let sum = 0;
      for (const other of around) sum += y[other];
      return [node, sum / around.length, i];
    });
    keyed.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
    keyed.forEach(([node], i) => { members[i] = node; });
    centre(members);
  };
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let l = 1; l < layers.length; l++) reorder(layers[l], predecessors);
    for (let l = layers.length - 2; l >= 0; l--) reorder(layers[l], successors);
  }

  // Coordinates: each node as near the mean of its predecessors as the order and the gaps allow.
  for (let l = 1; l < layers.length; l++) {
    const members = layers[l];
    const desired = members.map((node) => {
      const around = predecessors[node];
      if (around.length === 0) return y[node];
      let sum = 0;
      for (const other of around) sum += y[other];
      return sum / around.length;
    });
    let shift = 0;
    members.forEach((node, i) => {
      y[node] = i === 0 ? desired[i] : Math.max(desired[i], y[members[i - 1]] + pitch);
      shift += desired[i] - y[node];
    });
    shift /= Math.max(1, members.length);
    for (const node of members) y[node] += shift;
  }

  let top = Infinity;
  let bottom = -Infinity;
  for (let i = 0; i < count; i++) {
    top = Math.min(top, y[i]);
    bottom = Math.max(bottom, y[i]);
  }
  if (count === 0) top = bottom = 0;
  const positions = new Map();
  nodes.forEach((node, i) => {
    positions.set(node.id, { x: layer[i] * (nodeWidth + columnGap), y: y[i] - top, layer: layer[i] });
  });
  return {
    positions,
    width: Math.max(0, layers.length * (nodeWidth + columnGap) - columnGap),
    height: bottom - top + nodeHeight,
    layers: layers.length,
  };
}

/**
 * The layer of each node: one past the deepest predecessor (Kahn's order). When only nodes on cycles are left, the
 * one with the fewest unplaced predecessors is placed next, which breaks its cycle there.
 */
function assignLayers(count, successors, predecessors) {
  const layer = new Int32Array(count);
  const waiting = predecessors.map((list) => list.length);
  const placed = new Uint8Array(count);
  const queue = [];
  for (let i = 0; i < count; i++) if (waiting[i] === 0) queue.push(i);
  let done = 0;
  let head = 0;
  while (done < count) {
    if (head === queue.length) {
      let pick = -1;
      for (let i = 0; i < count; i++) {
        if (!placed[i] && (pick < 0 || waiting[i] < waiting[pick])) pick = i;
      }
      queue.push(pick);
      waiting[pick] = 0;
    }
    const node = queue[head++];
    if (placed[node]) continue;
    placed[node] = 1;
    done++;
    let deepest = -1;
    for (const other of predecessors[node]) if (placed[other]) deepest = Math.max(deepest, layer[other]);
    layer[node] = deepest + 1;
    for (const next of successors[node]) {
      if (placed[next]) continue;
      if (--waiting[next] === 0) queue.push(next);
    }
  }
  return layer;
}
