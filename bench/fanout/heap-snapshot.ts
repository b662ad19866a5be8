/**
 * Reads a V8 .heapsnapshot (as `v8.writeHeapSnapshot` writes it) into self ("shallow") sizes per
 * constructor, grouped as Chrome DevTools' summary view groups them, and compares two snapshots.
 * Retained sizes would need the dominator tree; shallow sizes already say which kinds of objects
 * a connection adds, which is the question here.
 */
import fs from "node:fs";

interface SnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface ConstructorSizes {
  totalBytes: number;
  byConstructor: Map<string, { count: number; bytes: number }>;
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
  const [typeAt, nameAt, sizeAt] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const byConstructor = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let i = 0; i < data.nodes.length; i += width) {
    const size = data.nodes[i + sizeAt]!;
    const key = group(types[data.nodes[i + typeAt]!] ?? "?", data.strings[data.nodes[i + nameAt]!] ?? "?");
    const entry = byConstructor.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += size;
    byConstructor.set(key, entry);
    totalBytes += size;
  }
  return { totalBytes, byConstructor };
}

export interface ConstructorDelta {
  constructor: string;
  countPerConnection: number;
  bytesPerConnection: number;
}

/** What `after` holds beyond `before`, per connection, largest first. */
export function perConnection(before: ConstructorSizes, after: ConstructorSizes, connections: number): ConstructorDelta[] {
  const keys = new Set([...before.byConstructor.keys(), ...after.byConstructor.keys()]);
  return [...keys]
    .map((key) => {
      const a = before.byConstructor.get(key) ?? { count: 0, bytes: 0 };
      const b = after.byConstructor.get(key) ?? { count: 0, bytes: 0 };
      return { constructor: key, countPerConnection: (b.count - a.count) / connections, bytesPerConnection: (b.bytes - a.bytes) / connections };
    })
    .sort((x, y) => y.bytesPerConnection - x.bytesPerConnection);
}
