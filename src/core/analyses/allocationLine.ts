/**
 * Finding the line inside a function that allocates. V8's sampling heap profiler attributes bytes to
 * a function (its start position) only; this reads the function's body and picks the line that most
 * likely allocates what was sampled: the line calling the callee the allocation went through (e.g.
 * `Buffer.alloc(` when the next frame is node:buffer `alloc`), else the line with the strongest
 * allocation syntax (constructors, literals, buffers, storing into a collection). Pure: text in, line out.
 */

/** Scans JS/TS text and returns, for each character, whether it is code (not string/comment/template text). */
function codeMask(text: string, from: number, to: number): Uint8Array {
  const mask = new Uint8Array(to - from);
  let i = from;
  let quote = '';
  while (i < to) {
    const c = text[i];
    const next = text[i + 1];
    if (quote) {
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === quote) quote = '';
      else if (quote === '`' && c === '$' && next === '{') {
        // Template substitutions are code; treat them as such until the closing brace (one level).
        let depth = 1;
        mask[i - from] = 0;
        i += 2;
        while (i < to && depth > 0) {
          if (text[i] === '{') depth++;
          else if (text[i] === '}') depth--;
          if (depth > 0) mask[i - from] = 1;
          i++;
        }
        continue;
      }
      i++;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < to && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? to : end + 2;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      i++;
      continue;
    }
    mask[i - from] = 1;
    i++;
  }
  return mask;
}

/** The [start, end) offsets of the function body that begins at `offset`, or undefined for expression bodies. */
export function functionBody(text: string, offset: number): { start: number; end: number } | undefined {
  const limit = Math.min(text.length, offset + 200_000);
  const mask = codeMask(text, offset, limit);
  let parens = 0;
  let bodyStart = -1;
  for (let i = offset; i < limit; i++) {
    if (!mask[i - offset]) continue;
    const c = text[i];
    if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (c === '=' && text[i + 1] === '>' && parens === 0) {
      let j = i + 2;
      while (j < limit && /\s/.test(text[j])) j++;
      if (text[j] !== '{') return undefined;
      bodyStart = j;
      break;
    } else if (c === '{' && parens === 0) {
      bodyStart = i;
      break;
    }
  }
  if (bodyStart < 0) return undefined;
  let depth = 0;
  for (let i = bodyStart; i < limit; i++) {
    if (!mask[i - offset]) continue;
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return { start: bodyStart, end: i + 1 };
  }
  return { start: bodyStart, end: limit };
}

/** Offset of a 0-based line/column. */
export function offsetOf(text: string, line0: number, column0: number): number {
  let offset = 0;
  for (let l = 0; l < line0; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return offset + column0;
}

const weights: Array<[RegExp, number]> = [
  [/\bBuffer\s*\.\s*(alloc|allocUnsafe|allocUnsafeSlow|from|concat)\s*\(/, 6],
  [/\bnew\s+(Array|ArrayBuffer|SharedArrayBuffer|(Uint|Int|Float|BigInt|BigUint)\d+(Clamped)?Array)\s*\(/, 6],
  [/\.\s*(repeat|fill|padEnd|padStart)\s*\(/, 5],
  [/\bArray\s*\.\s*from\s*\(|\bArray\s*\(/, 5],
  [/\bnew\s+[A-Za-z_$][\w$.]*\s*\(/, 4],
  [/\.\s*(set|push|unshift|add)\s*\(/, 3],
  [/\bJSON\s*\.\s*(parse|stringify)\s*\(/, 3],
  [/\[[^\]]*\]\s*=(?!=)/, 2],
  [/[=(,:]\s*\{/, 2],
  [/[=(,:]\s*\[/, 2],
  [/\bfunction\b|=>/, 1],
  [/\.\s*(map|filter|slice|concat|split|join|toString)\s*\(/, 1],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The 0-based line inside the function starting at (line0, column0) that most likely allocates.
 * `callee` is the function the allocation went through, when the sampled stack continued into one.
 * Falls back to `line0` when the body cannot be read.
 */
export function allocationLine(text: string, line0: number, column0: number, callee?: string): number {
  const start = offsetOf(text, line0, column0);
  const body = functionBody(text, start);
  if (!body) return line0;
  const lines = bodyLines(text, line0, start, body);
  if (callee && /^[A-Za-z_$][\w$]*$/.test(callee) && callee !== 'anonymous') {
    const hit = findCall(text, lines, callee, 2, new Set([start]));
    if (hit !== undefined) return hit;
  }
  let best: { line: number; weight: number } | undefined;
  for (const l of lines) {
    let weight = 0;
    for (const [pattern, w] of weights) if (pattern.test(l.code)) weight = Math.max(weight, w);
    if (weight > 0 && (!best || weight > best.weight)) best = { line: l.line, weight };
  }
  return best?.line ?? line0;
}

/**
 * The line calling `callee`, looking also into same-file functions this body calls (up to `depth`
 * levels): optimized code attributes allocations of inlined callees to the caller's frame.
 */
function findCall(text: string, lines: Array<{ line: number; code: string }>, callee: string, depth: number, seen: Set<number>): number | undefined {
  const call = new RegExp(`(^|[^\\w$])(new\\s+)?${escapeRegExp(callee)}\\s*\\(`);
  const direct = lines.find((l) => call.test(l.code));
  if (direct) return direct.line;
  if (depth === 0) return undefined;
  for (const l of lines) {
    for (const m of l.code.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(/g)) {
      const name = m[1];
      if (/^(if|for|while|switch|catch|function|return|typeof|new)$/.test(name)) continue;
      const def = new RegExp(`function\\s*\\*?\\s*${escapeRegExp(name)}\\s*\\(|(?:const|let|var)\\s+${escapeRegExp(name)}\\s*=\\s*(?:async\\s*)?(?:function\\b|\\()`).exec(text);
      if (!def) continue;
      const defStart = def.index;
      if (seen.has(defStart)) continue;
      seen.add(defStart);
      const body = functionBody(text, defStart);
      if (!body) continue;
      const defLine = countNewlines(text, 0, defStart);
      const hit = findCall(text, bodyLines(text, defLine, defStart, body), callee, depth - 1, seen);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

function bodyLines(text: string, line0: number, start: number, body: { start: number; end: number }): Array<{ line: number; code: string }> {
  const mask = codeMask(text, body.start, body.end);
  // Lines of the body with their code-only text; nested function bodies are other frames in the
  // profile, so their insides are skipped (their header line stays: creating a closure allocates).
  const lines: Array<{ line: number; code: string }> = [];
  let line = line0 + countNewlines(text, start, body.start);
  let current = '';
  let depth = 0;
  const nestedDepths: number[] = [];
  for (let i = body.start; i < body.end; i++) {
    const c = text[i];
    if (c === '\n') {
      lines.push({ line, code: current });
      current = '';
      line++;
      continue;
    }
    const isCode = mask[i - body.start] === 1;
    if (isCode && c === '{') {
      depth++;
      if (i > body.start && /(=>\s*|\)\s*|function[^{]*)$/.test(text.slice(Math.max(body.start, i - 80), i)) && !/\b(if|for|while|switch|catch)\s*\([^]*\)\s*$/.test(text.slice(Math.max(body.start, i - 80), i))) {
        nestedDepths.push(depth);
      }
    } else if (isCode && c === '}') {
      if (nestedDepths[nestedDepths.length - 1] === depth) nestedDepths.pop();
      depth--;
    }
    const insideNested = nestedDepths.length > 0 && !(isCode && c === '{' && nestedDepths[nestedDepths.length - 1] === depth);
    if (!insideNested) current += isCode ? c : c === '\n' ? '\n' : ' ';
  }
  if (current) lines.push({ line, code: current });
  return lines;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
