/**
 * Reads a V8 .heapsnapshot (as `v8.writeHeapSnapshot` writes it) into self ("shallow") sizes per
 * constructor, grouped as Chrome DevTools' summary view groups them, and compares two snapshots.
 * Retained sizes would need the dominator tree; shallow sizes already say which kinds of objects
 * a connection adds, which is the question here.
 */
import fs from "node:fs";

interface SnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]]; location_fields?: string[] } };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations?: number[];
}

export interface ConstructorSizes {
  totalBytes: number;
  /** Grouped as DevTools' summary does. */
  byConstructor: Map<string, { count: number; bytes: number }>;
  /** Finer: closures by function name, property and element stores by their object's constructor. */
  detailed: Map<string, { count: number; bytes: number }>;
}

function add(map: Map<string, { count: number; bytes: number }>, key: string, bytes: number): void {
  const entry = map.get(key) ?? { count: 0, bytes: 0 };
  entry.count++;
  entry.bytes += bytes;
  map.set(key, entry);
}

function group(type: string, name: string): string {
  switch (type) {
    case "object":
    case "native":
      return name;
    case "closure":
      return "(closure)";
    case "string":
    case "concatenated string":
    case "sliced string":
      return "(string)";
    case "number":
    case "heap number":
      return "(number)";
    case "code":
      return "(compiled code)";
    case "array":
      return `(array) ${name}`;
    case "hidden":
      return `(system) ${name}`;
    default:
      return `(${type}) ${name}`;
  }
}

export function readSnapshot(file: string): ConstructorSizes {
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as SnapshotFile;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ["type", "name", "self_size", "edge_count"].map((f) => fields.indexOf(f)) as [number, number, number, number];
  const edgeWidth = data.snapshot.meta.edge_fields.length;
  const toAt = data.snapshot.meta.edge_fields.indexOf("to_node");
  const typeOf = (node: number) => types[data.nodes[node + typeAt]!] ?? "?";
  const nameOf = (node: number) => data.strings[data.nodes[node + nameAt]!] ?? "?";
  // Where a closure's function is: its script (closure → shared → script → name) and line.
  const firstEdge = new Map<number, number>();
  for (let node = 0, edge = 0; node < data.nodes.length; node += width) {
    firstEdge.set(node, edge);
    edge += data.nodes[node + edgeCountAt]! * edgeWidth;
  }
  const edgeTypes = data.snapshot.meta.edge_types[0];
  const [edgeTypeAt, edgeNameAt] = [data.snapshot.meta.edge_fields.indexOf("type"), data.snapshot.meta.edge_fields.indexOf("name_or_index")];
  const follow = (node: number, name: string): number | undefined => {
    const start = firstEdge.get(node)!;
    for (let edge = start; edge < start + data.nodes[node + edgeCountAt]! * edgeWidth; edge += edgeWidth) {
      const type = edgeTypes[data.edges[edge + edgeTypeAt]!];
      if (type !== "element" && type !== "hidden" && data.strings[data.edges[edge + edgeNameAt]!] === name) return data.edges[edge + toAt]!;
    }
    return undefined;
  };
  const lineOf = new Map<number, number>();
  const locationFields = data.snapshot.meta.location_fields ?? [];
  const [objectAt, lineAt] = [locationFields.indexOf("object_index"), locationFields.indexOf("line")];
  for (let i = 0; data.locations && objectAt !== -1 && i < data.locations.length; i += locationFields.length) lineOf.set(data.locations[i + objectAt]!, data.locations[i + lineAt]!);
  const whereIs = (closure: number): string => {
    const shared = follow(closure, "shared");
    // V8 11 names the edge script_or_debug_info; the script node is named by its file.
    const script = shared === undefined ? undefined : (follow(shared, "script_or_debug_info") ?? follow(shared, "script"));
    // The project's files from src/ or bench/ on, a package's from its name on.
    const fileName = script === undefined ? "?" : nameOf(script).replace(/^.*\/node_modules\//, "").replace(/^.*?\/(src|bench)\//, "$1/");
    const line = lineOf.get(closure);
    // Line 0 is what code transpiled by tsx reports for most functions: no line rather than a wrong one.
    return `${fileName}${line ? `:${line + 1}` : ""}`;
  };
  const fineGroup = (node: number) => (typeOf(node) === "closure" ? `(closure) ${nameOf(node) || "(anonymous)"} ${whereIs(node)}` : group(typeOf(node), nameOf(node)));

  // An object's property and element stores (arrays), attributed to their first retainer's group (the object's constructor).
  const owner = new Map<number, number>();
  for (let node = 0, edge = 0; node < data.nodes.length; node += width) {
    const end = edge + data.nodes[node + edgeCountAt]! * edgeWidth;
    const isArray = typeOf(node) === "array";
    for (; edge < end; edge += edgeWidth) {
      const to = data.edges[edge + toAt]!;
      if (!isArray && typeOf(to) === "array" && !owner.has(to)) owner.set(to, node);
    }
  }

  const byConstructor = new Map<string, { count: number; bytes: number }>();
  const detailed = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let node = 0; node < data.nodes.length; node += width) {
    const size = data.nodes[node + sizeAt]!;
    const [type, name] = [typeOf(node), nameOf(node)];
    const key = group(type, name);
    add(byConstructor, key, size);
    const ownedBy = owner.get(node);
    const fine = type === "closure" ? fineGroup(node) : ownedBy !== undefined ? `${key} of ${fineGroup(ownedBy)}` : key;
    add(detailed, fine, size);
    totalBytes += size;
  }
  return { totalBytes, byConstructor, detailed };
}

export interface ConstructorDelta {
  constructor: string;
  countPerConnection: number;
  bytesPerConnection: number;
}

/** What `after` holds beyond `before`, per connection, largest first. */
export function perConnection(before: ConstructorSizes, after: ConstructorSizes, connections: number, view: "byConstructor" | "detailed" = "byConstructor"): ConstructorDelta[] {
  const keys = new Set([...before[view].keys(), ...after[view].keys()]);
  return [...keys]
    .map((key) => {
      const a = before[view].get(key) ?? { count: 0, bytes: 0 };
      const b = after[view].get(key) ?? { count: 0, bytes: 0 };
      return { constructor: key, countPerConnection: (b.count - a.count) / connections, bytesPerConnection: (b.bytes - a.bytes) / connections };
    })
    .sort((x, y) => y.bytesPerConnection - x.bytesPerConnection);
}
