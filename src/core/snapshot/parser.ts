/**
 * A streaming, chunk-fed parser for V8 `.heapsnapshot` files. Chunks may be strings (as the
 * inspector sends them) or bytes (as a file stream reads them), split anywhere: inside a number, a
 * string escape or a multi-byte UTF-8 sequence. The big numeric arrays go straight into typed
 * arrays through a byte-level tokenizer; only the small `snapshot.meta` header and each entry of
 * `strings` become JS values. Field positions come from the snapshot's own `meta`, so a V8 that
 * adds fields (e.g. `detachedness`) or reorders them still parses.
 */
import { CancelledError, SnapshotParseError } from '../../shared/errors';
import { HeapSnapshot, type SnapshotMeta } from './heapSnapshot';

/** AbortSignal-compatible: anything with an `aborted` flag. */
export interface CancellationSignal {
  readonly aborted: boolean;
}

export interface ParseOptions {
  /** Name used in error messages (usually the file path). */
  source?: string;
  signal?: CancellationSignal;
}

const enum State {
  Start,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  Meta,
  Numbers,
  Strings,
  Skip,
  Done,
}

const enum Section {
  Nodes,
  Edges,
  Locations,
}

const BATCH = 1 << 16;
/** Entries allocated from a header's count before any are read (16 M: a ~1 GB snapshot's worth). */
const maxPreallocated = 1 << 24;
const textDecoder = new TextDecoder('utf-8', { fatal: false });
const textEncoder = new TextEncoder();

/**
 * A typed array that grows by doubling; sized exactly when the header gives the count.
 * GrowableU32 and GrowableU8 are two copies on purpose: the tokenizer writes every number of the
 * snapshot through them, and one class over `Uint32Array | Uint8Array` would make those writes
 * polymorphic. Merge them only with the snapshot benchmark (bench/snapshot/run.mjs) in hand.
 */
class GrowableU32 {
  data: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(16, capacity));
  }
  ensure(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint32Array(capacity);
    // The whole array: a partly filled record may sit just past `length`.
    next.set(this.data);
    this.data = next;
  }
  trimmed(): Uint32Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

class GrowableU8 {
  data: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint8Array(Math.max(16, capacity));
  }
  ensure(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    // The whole array: a partly filled record may sit just past `length`.
    next.set(this.data);
    this.data = next;
  }
  trimmed(): Uint8Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

/**
 * Feed chunks with {@link SnapshotParser.write}, then call {@link SnapshotParser.end} for the
 * graph. Any malformed or truncated input throws a {@link SnapshotParseError} carrying the byte
 * offset and the section (field) being read.
 */
export class SnapshotParser {
  private readonly source: string;
  private readonly signal?: CancellationSignal;
  private state = State.Start;
  /** Bytes consumed before the current chunk. */
  private base = 0;
  /** A high surrogate that ended the previous string chunk (its pair comes in the next one). */
  private pendingSurrogate = '';

  private key = '';
  private keyBytes: number[] = [];
  private field = 'top level';

  // Generic value capture/skip (meta, unknown keys, trace_tree).
  private depth = 0;
  private inString = false;
  private escape = false;
  private capture: GrowableU8 | null = null;
  private skipStarted = false;

  // Numeric arrays.
  private section = Section.Nodes;
  private arrayOpen = false;
  private inNumber = false;
  private afterValue = false;
  private current = 0;
  private readonly batch = new Float64Array(BATCH);
  private batchLength = 0;
  private valueCount = 0;

  // Strings array.
  private stringCarry = new GrowableU8(1024);
  private stringInProgress = false;
  private stringHasEscape = false;
  private strings: string[] = [];

  private meta: SnapshotMeta | null = null;
  private seen = new Set<string>();

  // Node columns.
  private nodeType!: GrowableU8;
  private nodeName!: GrowableU32;
  private nodeId!: GrowableU32;
  private nodeSelf!: GrowableU32;
  private nodeEdgeCount!: GrowableU32;
  private nodeDetached!: GrowableU8;
  // Edge columns.
  private edgeType!: GrowableU8;
  private edgeName!: GrowableU32;
  private edgeTo!: GrowableU32;
  // Locations.
  private locNode = new GrowableU32(0);
  private locScript = new GrowableU32(0);
  private locLine = new GrowableU32(0);
  private locColumn = new GrowableU32(0);

  constructor(options: ParseOptions = {}) {
    this.source = options.source ?? '<snapshot>';
    this.signal = options.signal;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.base;
  }

  /** Parses one more chunk. @throws SnapshotParseError, CancelledError */
  write(chunk: string | Uint8Array): void {
    if (this.signal?.aborted) throw new CancelledError('Parsing the heap snapshot');
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      let text = this.pendingSurrogate + chunk;
      this.pendingSurrogate = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.pendingSurrogate = text[text.length - 1];
        text = text.slice(0, -1);
      }
      bytes = textEncoder.encode(text);
    } else {
      bytes = chunk;
    }
    let i = 0;
    const n = bytes.length;
    while (i < n) {
      switch (this.state) {
        case State.Numbers:
          i = this.readNumbers(bytes, i);
          break;
        case State.Strings:
          i = this.readStrings(bytes, i);
          break;
        case State.Meta:
        case State.Skip:
          i = this.readSkip(bytes, i);
          break;
        default:
          i = this.readStructure(bytes, i);
      }
    }
    this.base += n;
  }

  /** Finishes parsing and returns the graph. @throws SnapshotParseError when the input was cut short or inconsistent. */
  end(): HeapSnapshot {
    if (this.pendingSurrogate) {
      // A high surrogate whose pair never came: encode it alone (as U+FFFD) rather than drop it.
      const lone = this.pendingSurrogate;
      this.pendingSurrogate = '';
      this.write(textEncoder.encode(lone));
    }
    if (this.state !== State.Done) this.fail(this.base, `unexpected end of input while reading ${this.field}`);
    const meta = this.meta;
    if (!meta) return this.fail(this.base, 'no "snapshot" header with meta', 'snapshot');
    for (const required of ['nodes', 'edges', 'strings']) {
      if (!this.seen.has(required)) this.fail(this.base, `missing "${required}" array`, required);
    }
    const nodeCount = this.nodeId.length;
    const edgeCount = this.edgeTo.length;
    if (meta.nodeCount !== undefined && meta.nodeCount !== nodeCount) {
      this.fail(this.base, `header says ${meta.nodeCount} nodes but ${nodeCount} were read`, 'nodes');
    }
    if (meta.edgeCount !== undefined && meta.edgeCount !== edgeCount) {
      this.fail(this.base, `header says ${meta.edgeCount} edges but ${edgeCount} were read`, 'edges');
    }
    const firstEdge = new Uint32Array(nodeCount + 1);
    const counts = this.nodeEdgeCount.data;
    let total = 0;
    for (let k = 0; k < nodeCount; k++) {
      firstEdge[k] = total;
      total += counts[k];
    }
    firstEdge[nodeCount] = total;
    if (total !== edgeCount) this.fail(this.base, `nodes declare ${total} edges but ${edgeCount} were read`, 'edges');
    // Without a declared node count the edge targets could not be checked while reading.
    if (meta.nodeCount === undefined) {
      const to = this.edgeTo.data;
      for (let e = 0; e < edgeCount; e++) {
        if (to[e] >= nodeCount) this.fail(this.base, `edge ${e} points to node ${to[e]} of ${nodeCount}`, 'edges');
      }
    }
    const names = this.nodeName.data;
    const stringCount = this.strings.length;
    for (let k = 0; k < nodeCount; k++) {
      if (names[k] >= stringCount) this.fail(this.base, `node ${k} names string ${names[k]} of ${stringCount}`, 'nodes');
    }
    return new HeapSnapshot({
      meta,
      strings: this.strings,
      nodeType: this.nodeType.trimmed(),
      nodeName: this.nodeName.trimmed(),
      nodeId: this.nodeId.trimmed(),
      nodeSelfSize: this.nodeSelf.trimmed(),
      nodeDetachedness: meta.nodeDetachednessOffset >= 0 ? this.nodeDetached.trimmed() : undefined,
      firstEdge,
      edgeType: this.edgeType.trimmed(),
      edgeNameOrIndex: this.edgeName.trimmed(),
      edgeToNode: this.edgeTo.trimmed(),
      locations: {
        node: this.locNode.trimmed().subarray(0, this.locNode.length),
        scriptId: this.locScript.trimmed().subarray(0, this.locScript.length),
        line: this.locLine.trimmed().subarray(0, this.locLine.length),
        column: this.locColumn.trimmed().subarray(0, this.locColumn.length),
      },
    });
  }

  private fail(offset: number, message: string, field = this.field): never {
    throw new SnapshotParseError(this.source, offset, field, message);
  }

  /** Top-level object: `{ "key": value, ... }`. */
  private readStructure(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    for (; i < n; i++) {
      const c = bytes[i];
      switch (this.state) {
        case State.Start:
          if (isSpace(c)) continue;
          if (c !== 0x7b) this.fail(this.base + i, 'expected "{" at the start of a heap snapshot');
          this.state = State.KeyOrEnd;
          continue;
        case State.KeyOrEnd:
          if (isSpace(c) || c === 0x2c) continue;
          if (c === 0x7d) {
            this.state = State.Done;
            this.field = 'end of file';
            continue;
          }
          if (c !== 0x22) this.fail(this.base + i, 'expected a key');
          this.keyBytes.length = 0;
          this.state = State.Key;
          continue;
        case State.Key:
          if (c === 0x22) {
            this.key = String.fromCharCode(...this.keyBytes);
            this.state = State.Colon;
          } else {
            if (this.keyBytes.length > 256) this.fail(this.base + i, 'key too long');
            this.keyBytes.push(c);
          }
          continue;
        case State.Colon:
          if (isSpace(c)) continue;
          if (c !== 0x3a) this.fail(this.base + i, `expected ":" after "${this.key}"`);
          this.state = State.Value;
          this.field = this.key;
          this.seen.add(this.key);
          continue;
        case State.Value:
          if (isSpace(c)) continue;
          return this.beginValue(i);
        case State.Done:
          if (isSpace(c)) continue;
          this.fail(this.base + i, 'unexpected data after the end of the snapshot');
          break;
        default:
          return i;
      }
    }
    return i;
  }

  private beginValue(i: number): number {
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.skipStarted = false;
    switch (this.key) {
      case 'snapshot':
        this.capture = new GrowableU8(4096);
        this.state = State.Meta;
        return i;
      case 'nodes':
      case 'edges':
      case 'locations':
        this.requireMeta(i);
        this.beginNumbers(this.key === 'nodes' ? Section.Nodes : this.key === 'edges' ? Section.Edges : Section.Locations);
        return i;
      case 'strings':
        this.state = State.Strings;
        this.arrayOpen = false;
        this.afterValue = false;
        return i;
      default:
        // trace_function_infos, trace_tree, samples and anything a newer V8 adds: not needed.
        this.capture = null;
        this.state = State.Skip;
        return i;
    }
  }

  private requireMeta(i: number): void {
    if (!this.meta) this.fail(this.base + i, `"${this.key}" comes before the "snapshot" header`);
  }

  private beginNumbers(section: Section): void {
    const meta = this.meta!;
    this.section = section;
    this.state = State.Numbers;
    this.arrayOpen = false;
    this.inNumber = false;
    this.afterValue = false;
    this.current = 0;
    this.batchLength = 0;
    this.valueCount = 0;
    // The header's counts size the arrays, but only up to what a real file of that size could hold
    // before they grow by doubling: a lying header must not allocate gigabytes up front.
    if (section === Section.Nodes) {
      const count = Math.min(meta.nodeCount ?? 1024, maxPreallocated);
      this.nodeType = new GrowableU8(count);
      this.nodeName = new GrowableU32(count);
      this.nodeId = new GrowableU32(count);
      this.nodeSelf = new GrowableU32(count);
      this.nodeEdgeCount = new GrowableU32(count);
      this.nodeDetached = new GrowableU8(meta.nodeDetachednessOffset >= 0 ? count : 0);
    } else if (section === Section.Edges) {
      const count = Math.min(meta.edgeCount ?? 4096, maxPreallocated);
      this.edgeType = new GrowableU8(count);
      this.edgeName = new GrowableU32(count);
      this.edgeTo = new GrowableU32(count);
    }
  }

  /** Skips (or, for the header, captures) one JSON value of any shape. */
  private readSkip(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    const start = i;
    let done = false;
    for (; i < n; i++) {
      const c = bytes[i];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 0) {
            done = true;
            i++;
            break;
          }
        }
        continue;
      }
      if (!this.skipStarted) {
        if (isSpace(c)) continue;
        this.skipStarted = true;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if ((c === 0x7d || c === 0x5d) && this.depth > 0) {
        this.depth--;
        if (this.depth < 0) this.fail(this.base + i, 'unbalanced brackets');
        if (this.depth === 0) {
          done = true;
          i++;
          break;
        }
      } else if (this.depth === 0 && (c === 0x2c || c === 0x7d || isSpace(c))) {
        // End of a scalar value.
        done = true;
        break;
      }
    }
    if (this.capture) {
      this.capture.ensure(i - start);
      this.capture.data.set(bytes.subarray(start, i), this.capture.length);
      this.capture.length += i - start;
      if (this.capture.length > 64 * 1024 * 1024) this.fail(this.base + i, 'header is implausibly large');
    }
    if (done) {
      if (this.state === State.Meta) this.finishMeta(i);
      this.state = State.KeyOrEnd;
      this.field = 'top level';
    }
    return i;
  }

  private finishMeta(i: number): void {
    const text = textDecoder.decode(this.capture!.data.subarray(0, this.capture!.length));
    this.capture = null;
    let header: unknown;
    try {
      header = JSON.parse(text);
    } catch (e) {
      this.fail(this.base + i, `the "snapshot" header is not valid JSON: ${(e as Error).message}`, 'snapshot');
    }
    this.meta = readMeta(header, (message, field) => this.fail(this.base + i, message, field));
  }

  /** Byte-level tokenizer for `[1,2,3,...]` into the typed columns. */
  private readNumbers(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    if (!this.arrayOpen) {
      for (; i < n; i++) {
        const c = bytes[i];
        if (isSpace(c)) continue;
        if (c !== 0x5b) this.fail(this.base + i, 'expected "["');
        this.arrayOpen = true;
        i++;
        break;
      }
      if (!this.arrayOpen) return i;
    }
    let current = this.current;
    let inNumber = this.inNumber;
    let afterValue = this.afterValue;
    const batch = this.batch;
    let batchLength = this.batchLength;
    while (i < n) {
      let c = bytes[i];
      if (c >= 0x30 && c <= 0x39) {
        if (afterValue && !inNumber) this.fail(this.base + i, 'expected "," between numbers');
        // The hot path: a whole number in one tight loop.
        current = current * 10 + (c - 0x30);
        i++;
        while (i < n && (c = bytes[i]) >= 0x30 && c <= 0x39) {
          current = current * 10 + (c - 0x30);
          i++;
        }
        if (i === n) {
          // The number may continue in the next chunk.
          inNumber = true;
          afterValue = true;
          break;
        }
        batch[batchLength++] = current;
        current = 0;
        inNumber = false;
        afterValue = true;
        if (batchLength === BATCH) {
          this.batchLength = batchLength;
          this.flushNumbers(this.base + i);
          batchLength = this.batchLength;
        }
        continue;
      }
      if (inNumber) {
        batch[batchLength++] = current;
        current = 0;
        inNumber = false;
        if (batchLength === BATCH) {
          this.batchLength = batchLength;
          this.flushNumbers(this.base + i);
          batchLength = this.batchLength;
        }
      }
      i++;
      if (c === 0x2c) {
        if (!afterValue) this.fail(this.base + i - 1, 'unexpected ","');
        afterValue = false;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (c === 0x5d) {
        if (!afterValue && this.valueCount + batchLength > 0) this.fail(this.base + i - 1, 'trailing ","');
        this.batchLength = batchLength;
        this.flushNumbers(this.base + i - 1);
        this.finishNumbers(this.base + i - 1);
        this.current = 0;
        this.inNumber = false;
        this.afterValue = false;
        this.state = State.KeyOrEnd;
        this.field = 'top level';
        return i;
      }
      this.fail(this.base + i - 1, `unexpected character ${JSON.stringify(String.fromCharCode(c))} in a number array`);
    }
    this.current = current;
    this.inNumber = inNumber;
    this.afterValue = afterValue;
    this.batchLength = batchLength;
    return i;
  }

  /**
   * Distributes the complete records of a batch over the columns of the current section, one
   * record per iteration with fixed offsets; the values of a partial record move to the front.
   */
  private flushNumbers(offset: number): void {
    const meta = this.meta!;
    const batch = this.batch;
    const count = this.batchLength;
    if (count === 0) return;
    let used: number;
    if (this.section === Section.Nodes) {
      const stride = meta.nodeFieldCount;
      const records = Math.floor(count / stride);
      used = records * stride;
      for (const column of [this.nodeType, this.nodeName, this.nodeId, this.nodeSelf, this.nodeEdgeCount]) column.ensure(records);
      const hasDetached = meta.nodeDetachednessOffset >= 0;
      if (hasDetached) this.nodeDetached.ensure(records);
      const type = this.nodeType.data;
      const name = this.nodeName.data;
      const id = this.nodeId.data;
      const self = this.nodeSelf.data;
      const edges = this.nodeEdgeCount.data;
      const detached = this.nodeDetached.data;
      const { nodeTypeOffset, nodeNameOffset, nodeIdOffset, nodeSelfSizeOffset, nodeEdgeCountOffset, nodeDetachednessOffset } = meta;
      const typeCount = meta.nodeTypes.length;
      let r = this.nodeId.length;
      for (let base = 0; base < used; base += stride, r++) {
        const t = batch[base + nodeTypeOffset];
        if (t >= typeCount) this.fail(offset, `node ${r} has unknown type ${t}`);
        type[r] = t;
        name[r] = batch[base + nodeNameOffset];
        const nodeId = batch[base + nodeIdOffset];
        if (nodeId > 0xffffffff) this.fail(offset, `node ${r} has an id beyond 32 bits`);
        id[r] = nodeId;
        const size = batch[base + nodeSelfSizeOffset];
        self[r] = size > 0xffffffff ? 0xffffffff : size;
        edges[r] = batch[base + nodeEdgeCountOffset];
        if (hasDetached) detached[r] = batch[base + nodeDetachednessOffset];
      }
      this.nodeType.length = this.nodeName.length = this.nodeId.length = this.nodeSelf.length = this.nodeEdgeCount.length = r;
      this.nodeDetached.length = hasDetached ? r : 0;
    } else if (this.section === Section.Edges) {
      const stride = meta.edgeFieldCount;
      const records = Math.floor(count / stride);
      used = records * stride;
      this.edgeType.ensure(records);
      this.edgeName.ensure(records);
      this.edgeTo.ensure(records);
      const type = this.edgeType.data;
      const name = this.edgeName.data;
      const to = this.edgeTo.data;
      const { edgeTypeOffset, edgeNameOffset, edgeToNodeOffset } = meta;
      const nodeStride = meta.nodeFieldCount;
      const typeCount = meta.edgeTypes.length;
      const nodeLimit = meta.nodeCount ?? Infinity;
      let r = this.edgeTo.length;
      for (let base = 0; base < used; base += stride, r++) {
        const t = batch[base + edgeTypeOffset];
        if (t >= typeCount) this.fail(offset, `edge ${r} has unknown type ${t}`);
        type[r] = t;
        name[r] = batch[base + edgeNameOffset];
        const value = batch[base + edgeToNodeOffset];
        const node = (value / nodeStride) | 0;
        if (node * nodeStride !== value) this.fail(offset, `edge ${r} points into the middle of a node (${value})`);
        if (node >= nodeLimit) this.fail(offset, `edge ${r} points to node ${node} of ${nodeLimit}`);
        to[r] = node;
      }
      this.edgeType.length = this.edgeName.length = this.edgeTo.length = r;
    } else {
      const stride = meta.locationFieldCount;
      const records = Math.floor(count / stride);
      used = records * stride;
      for (const column of [this.locNode, this.locScript, this.locLine, this.locColumn]) column.ensure(records);
      const { locationObjectOffset, locationScriptOffset, locationLineOffset, locationColumnOffset } = meta;
      const nodeStride = meta.nodeFieldCount;
      let r = this.locNode.length;
      for (let base = 0; base < used; base += stride, r++) {
        this.locNode.data[r] = batch[base + locationObjectOffset] / nodeStride;
        this.locScript.data[r] = batch[base + locationScriptOffset];
        this.locLine.data[r] = batch[base + locationLineOffset];
        this.locColumn.data[r] = batch[base + locationColumnOffset];
      }
      this.locNode.length = this.locScript.length = this.locLine.length = this.locColumn.length = r;
    }
    batch.copyWithin(0, used, count);
    this.batchLength = count - used;
    this.valueCount += used;
  }

  private finishNumbers(offset: number): void {
    if (this.batchLength !== 0) this.fail(offset, `the number of values is not a multiple of the record size`);
  }

  /** `["a","b\n",...]`: each complete string is decoded once; bytes of a split one are carried over. */
  private readStrings(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    if (!this.arrayOpen) {
      for (; i < n; i++) {
        const c = bytes[i];
        if (isSpace(c)) continue;
        if (c !== 0x5b) this.fail(this.base + i, 'expected "["');
        this.arrayOpen = true;
        i++;
        break;
      }
      if (!this.arrayOpen) return i;
    }
    for (; i < n; i++) {
      if (this.stringInProgress) {
        const start = i;
        let escape = this.escape;
        let hasEscape = this.stringHasEscape;
        for (; i < n; i++) {
          const c = bytes[i];
          if (escape) escape = false;
          else if (c === 0x5c) {
            escape = true;
            hasEscape = true;
          } else if (c === 0x22) break;
        }
        this.escape = escape;
        this.stringHasEscape = hasEscape;
        if (i === n) {
          this.appendCarry(bytes, start, n);
          return n;
        }
        let text: string;
        if (this.stringCarry.length > 0) {
          this.appendCarry(bytes, start, i);
          text = this.decodeString(this.stringCarry.data.subarray(0, this.stringCarry.length), hasEscape, i);
          this.stringCarry.length = 0;
        } else {
          text = this.decodeString(bytes.subarray(start, i), hasEscape, i);
        }
        this.strings.push(text);
        this.stringInProgress = false;
        this.afterValue = true;
        continue;
      }
      const c = bytes[i];
      if (isSpace(c)) continue;
      if (c === 0x22) {
        if (this.afterValue) this.fail(this.base + i, 'expected "," between strings');
        this.stringInProgress = true;
        this.stringHasEscape = false;
        this.escape = false;
        continue;
      }
      if (c === 0x2c) {
        if (!this.afterValue) this.fail(this.base + i, 'unexpected ","');
        this.afterValue = false;
        continue;
      }
      if (c === 0x5d) {
        if (!this.afterValue && this.strings.length > 0) this.fail(this.base + i, 'trailing ","');
        this.state = State.KeyOrEnd;
        this.field = 'top level';
        this.afterValue = false;
        return i + 1;
      }
      this.fail(this.base + i, `unexpected character ${JSON.stringify(String.fromCharCode(c))} in the strings array`);
    }
    return i;
  }

  private appendCarry(bytes: Uint8Array, start: number, end: number): void {
    const carry = this.stringCarry;
    carry.ensure(end - start);
    carry.data.set(bytes.subarray(start, end), carry.length);
    carry.length += end - start;
  }

  private decodeString(raw: Uint8Array, hasEscape: boolean, i: number): string {
    const text = textDecoder.decode(raw);
    if (!hasEscape) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch (e) {
      return this.fail(this.base + i, `string ${this.strings.length} is not valid JSON: ${(e as Error).message}`);
    }
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Reads field offsets from `snapshot.meta`. @throws through `fail` when a required field is missing. */
function readMeta(header: unknown, fail: (message: string, field: string) => never): SnapshotMeta {
  const h = header as { meta?: Record<string, unknown>; node_count?: unknown; edge_count?: unknown };
  const meta = h?.meta;
  if (!meta || typeof meta !== 'object') fail('the header has no "meta"', 'snapshot.meta');
  const list = (name: string): string[] => {
    const value = meta[name];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(`"${name}" is not a list of names`, `snapshot.meta.${name}`);
    return value as string[];
  };
  const nodeFields = list('node_fields');
  const edgeFields = list('edge_fields');
  const offset = (fields: string[], name: string, group: string, required = true): number => {
    const index = fields.indexOf(name);
    if (index < 0 && required) fail(`"${name}" is missing`, `snapshot.meta.${group}`);
    return index;
  };
  const types = (name: string): string[] => {
    const value = meta[name];
    if (!Array.isArray(value) || !Array.isArray(value[0])) fail(`"${name}" has no list of type names`, `snapshot.meta.${name}`);
    return (value as unknown[][])[0].map(String);
  };
  const nodeTypes = types('node_types');
  const edgeTypes = types('edge_types');
  const locationFields = Array.isArray(meta.location_fields) ? (meta.location_fields as string[]) : ['object_index', 'script_id', 'line', 'column'];
  // A node or edge index is a u32 everywhere below: a header beyond that is not a snapshot we can hold.
  const count = (value: unknown, field: string): number | undefined => {
    if (typeof value !== 'number' || value < 0) return undefined;
    if (!Number.isInteger(value) || value > 0xffffffff) fail(`${value} is not a count this reader can hold (at most 4,294,967,295)`, `snapshot.${field}`);
    return value;
  };
  return {
    nodeFields,
    edgeFields,
    nodeTypes,
    edgeTypes,
    nodeFieldCount: nodeFields.length,
    edgeFieldCount: edgeFields.length,
    locationFieldCount: locationFields.length,
    nodeTypeOffset: offset(nodeFields, 'type', 'node_fields'),
    nodeNameOffset: offset(nodeFields, 'name', 'node_fields'),
    nodeIdOffset: offset(nodeFields, 'id', 'node_fields'),
    nodeSelfSizeOffset: offset(nodeFields, 'self_size', 'node_fields'),
    nodeEdgeCountOffset: offset(nodeFields, 'edge_count', 'node_fields'),
    nodeDetachednessOffset: offset(nodeFields, 'detachedness', 'node_fields', false),
    edgeTypeOffset: offset(edgeFields, 'type', 'edge_fields'),
    edgeNameOffset: offset(edgeFields, 'name_or_index', 'edge_fields'),
    edgeToNodeOffset: offset(edgeFields, 'to_node', 'edge_fields'),
    locationObjectOffset: offset(locationFields, 'object_index', 'location_fields'),
    locationScriptOffset: offset(locationFields, 'script_id', 'location_fields'),
    locationLineOffset: offset(locationFields, 'line', 'location_fields'),
    locationColumnOffset: offset(locationFields, 'column', 'location_fields'),
    nodeCount: count(h.node_count, 'node_count'),
    edgeCount: count(h.edge_count, 'edge_count'),
  };
}

/** Parses a whole snapshot from an (async) iterable of chunks. */
export async function parseSnapshot(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: ParseOptions = {},
): Promise<HeapSnapshot> {
  const parser = new SnapshotParser(options);
  for await (const chunk of chunks) parser.write(chunk);
  return parser.end();
}
