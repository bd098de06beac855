/**
 * The parsed heap graph, stored column-wise in typed arrays: no JS object per node or edge. Nodes
 * are addressed by ordinal (0 = the synthetic root), edges by index; the edges of node `n` are
 * `firstEdge[n] .. firstEdge[n + 1] - 1` (compressed sparse rows).
 */

/** Field layout read from the snapshot's own `meta`. Offsets are -1 when the field is absent. */
export interface SnapshotMeta {
  nodeFields: string[];
  edgeFields: string[];
  nodeTypes: string[];
  edgeTypes: string[];
  nodeFieldCount: number;
  edgeFieldCount: number;
  locationFieldCount: number;
  nodeTypeOffset: number;
  nodeNameOffset: number;
  nodeIdOffset: number;
  nodeSelfSizeOffset: number;
  nodeEdgeCountOffset: number;
  nodeDetachednessOffset: number;
  edgeTypeOffset: number;
  edgeNameOffset: number;
  edgeToNodeOffset: number;
  locationObjectOffset: number;
  locationScriptOffset: number;
  locationLineOffset: number;
  locationColumnOffset: number;
  /** As declared in the header; the parser checks the arrays against them. */
  nodeCount?: number;
  edgeCount?: number;
}

/** Where a closure or class was defined: V8 script id and 0-based line and column. */
export interface ScriptLocation {
  scriptId: number;
  line: number;
  column: number;
}

export interface HeapSnapshotColumns {
  meta: SnapshotMeta;
  strings: string[];
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Uint32Array;
  nodeDetachedness?: Uint8Array;
  /** nodeCount + 1 entries. */
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  /** Target node ordinal (already divided by the node record size). */
  edgeToNode: Uint32Array;
  locations: { node: Uint32Array; scriptId: Uint32Array; line: Uint32Array; column: Uint32Array };
}

/** The parsed graph plus small lookups; analyses live in their own modules and take it as input. */
export class HeapSnapshot {
  readonly meta: SnapshotMeta;
  readonly strings: readonly string[];
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly nodeSelfSize: Uint32Array;
  readonly nodeDetachedness?: Uint8Array;
  readonly firstEdge: Uint32Array;
  readonly edgeType: Uint8Array;
  readonly edgeNameOrIndex: Uint32Array;
  readonly edgeToNode: Uint32Array;
  readonly locations: HeapSnapshotColumns['locations'];
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** Type codes looked up once from meta (-1 when this V8 has no such type). */
  readonly types: {
    hidden: number;
    array: number;
    string: number;
    object: number;
    code: number;
    closure: number;
    regexp: number;
    number: number;
    native: number;
    synthetic: number;
    concatenatedString: number;
    slicedString: number;
    objectShape: number;
  };
  readonly edgeTypes: { context: number; element: number; property: number; internal: number; hidden: number; shortcut: number; weak: number };
  /** Location record order sorted by node (V8 writes them sorted; checked, sorted if not). */
  private locationOrder?: Uint32Array;

  constructor(columns: HeapSnapshotColumns) {
    this.meta = columns.meta;
    this.strings = columns.strings;
    this.nodeType = columns.nodeType;
    this.nodeName = columns.nodeName;
    this.nodeId = columns.nodeId;
    this.nodeSelfSize = columns.nodeSelfSize;
    this.nodeDetachedness = columns.nodeDetachedness;
    this.firstEdge = columns.firstEdge;
    this.edgeType = columns.edgeType;
    this.edgeNameOrIndex = columns.edgeNameOrIndex;
    this.edgeToNode = columns.edgeToNode;
    this.locations = columns.locations;
    this.nodeCount = columns.nodeId.length;
    this.edgeCount = columns.edgeToNode.length;
    const nt = (name: string) => columns.meta.nodeTypes.indexOf(name);
    this.types = {
      hidden: nt('hidden'),
      array: nt('array'),
      string: nt('string'),
      object: nt('object'),
      code: nt('code'),
      closure: nt('closure'),
      regexp: nt('regexp'),
      number: nt('number'),
      native: nt('native'),
      synthetic: nt('synthetic'),
      concatenatedString: nt('concatenated string'),
      slicedString: nt('sliced string'),
      objectShape: nt('object shape'),
    };
    const et = (name: string) => columns.meta.edgeTypes.indexOf(name);
    this.edgeTypes = {
      context: et('context'),
      element: et('element'),
      property: et('property'),
      internal: et('internal'),
      hidden: et('hidden'),
      shortcut: et('shortcut'),
      weak: et('weak'),
    };
  }

  /** The node's type name from meta ("object", "closure", ...). */
  typeName(node: number): string {
    return this.meta.nodeTypes[this.nodeType[node]] ?? 'unknown';
  }

  /** The node's name string (constructor name for objects, function name for closures). */
  name(node: number): string {
    return this.strings[this.nodeName[node]];
  }

  /**
   * The group a node is summarised under, as DevTools names it: the constructor name for objects
   * and native objects, "(closure)", "(string)", "(array)", "(system)" for hidden nodes, ...
   */
  className(node: number): string {
    const type = this.nodeType[node];
    if (type === this.types.object || type === this.types.native) return this.name(node);
    if (type === this.types.hidden) return '(system)';
    if (type === this.types.code) return '(compiled code)';
    return `(${this.meta.nodeTypes[type]})`;
  }

  /** True for the groups that describe how V8 stores things rather than what the program made. */
  isInternalClass(node: number): boolean {
    const type = this.nodeType[node];
    const t = this.types;
    return (
      type === t.hidden ||
      type === t.array ||
      type === t.code ||
      type === t.synthetic ||
      type === t.objectShape ||
      type === t.number ||
      type === t.string ||
      type === t.concatenatedString ||
      type === t.slicedString ||
      // V8's own structures reported as objects: "system / Context" (closure scopes),
      // "system / Map", "system / AllocationSite"... A leak's Contexts retain the leaked objects,
      // so ranked first they would hide the user's constructor that actually grows.
      (type === t.object && this.name(node).startsWith('system / '))
    );
  }

  edgeTypeName(edge: number): string {
    return this.meta.edgeTypes[this.edgeType[edge]] ?? 'unknown';
  }

  /** The edge's name: a property/variable name, or `[index]` for elements and hidden edges. */
  edgeName(edge: number): string {
    const type = this.edgeType[edge];
    const value = this.edgeNameOrIndex[edge];
    if (type === this.edgeTypes.element || type === this.edgeTypes.hidden) return `[${value}]`;
    return this.strings[value] ?? `#${value}`;
  }

  /** Where a closure or class was defined, when V8 recorded it. */
  location(node: number): ScriptLocation | undefined {
    const nodes = this.locations.node;
    if (!this.locationOrder) {
      const order = new Uint32Array(nodes.length);
      for (let k = 0; k < order.length; k++) order[k] = k;
      let sorted = true;
      for (let k = 1; k < nodes.length && sorted; k++) sorted = nodes[k - 1] <= nodes[k];
      if (!sorted) order.sort((a, b) => nodes[a] - nodes[b]);
      this.locationOrder = order;
    }
    // Binary search: a Map of a million entries would cost more memory than the lookup saves.
    const order = this.locationOrder;
    let low = 0;
    let high = order.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = nodes[order[mid]];
      if (at < node) low = mid + 1;
      else if (at > node) high = mid - 1;
      else {
        const k = order[mid];
        return { scriptId: this.locations.scriptId[k], line: this.locations.line[k], column: this.locations.column[k] };
      }
    }
    return undefined;
  }

  /** Total self size of all nodes. */
  totalSelfBytes(): number {
    let total = 0;
    const self = this.nodeSelfSize;
    for (let k = 0; k < self.length; k++) total += self[k];
    return total;
  }
}
