// Writes small graphs as real .heapsnapshot JSON text (Node 20's field layout), so dominator and
// summary tests run on exactly what the parser produces from a file.
import { SnapshotParser } from '../../../src/core/snapshot/parser';
import type { HeapSnapshot } from '../../../src/core/snapshot/heapSnapshot';

export interface GraphNode {
  type?: string;
  name: string;
  self?: number;
  id?: number;
  edges?: Array<{ to: number; name?: string | number; type?: string }>;
}

const nodeTypes = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
const edgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** Node 0 is the root. Edge names default to `e<target>`; element edges take numbers. */
export function snapshotText(nodes: GraphNode[]): string {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string) => {
    let k = index.get(s);
    if (k === undefined) {
      k = strings.length;
      strings.push(s);
      index.set(s, k);
    }
    return k;
  };
  const nodeValues: number[] = [];
  const edgeValues: number[] = [];
  nodes.forEach((node, k) => {
    const edges = node.edges ?? [];
    nodeValues.push(nodeTypes.indexOf(node.type ?? (k === 0 ? 'synthetic' : 'object')), str(node.name), node.id ?? k * 2 + 1, node.self ?? (k === 0 ? 0 : 10), edges.length, 0, 0);
    for (const edge of edges) {
      const type = edge.type ?? 'property';
      const name = type === 'element' || type === 'hidden' ? Number(edge.name ?? 0) : str(String(edge.name ?? `e${edge.to}`));
      edgeValues.push(edgeTypes.indexOf(type), name, edge.to * 7);
    }
  });
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    node_types: [nodeTypes, 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [edgeTypes, 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  return `{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${nodes.length},"edge_count":${edgeValues.length / 3},"trace_function_count":0},
"nodes":[${nodeValues.join(',')}],
"edges":[${edgeValues.join(',')}],
"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],
"strings":${JSON.stringify(strings)}}`;
}

/** Parses text in one chunk. */
export function parseText(text: string | Uint8Array, source = 'test'): HeapSnapshot {
  const parser = new SnapshotParser({ source });
  parser.write(text);
  return parser.end();
}

export function buildSnapshot(nodes: GraphNode[]): HeapSnapshot {
  return parseText(snapshotText(nodes));
}
