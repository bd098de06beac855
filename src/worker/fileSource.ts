/**
 * Heap snapshot files as chunk sources for the streaming engine in core/snapshot: used by the worker
 * thread and by the CLI, which runs the same jobs in-process.
 */
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ChunkSource } from '../core/snapshot/index';
import { LeakLensError } from '../shared/errors';

/**
 * Reads a file in 1 MiB chunks into one reused buffer: the parser consumes each chunk before the
 * next read, and a fresh buffer per chunk would leave the GC a gigabyte of garbage on big files.
 */
async function* readChunks(file: string, chunkBytes = 1024 * 1024): AsyncGenerator<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A file as a chunk source. @throws LeakLensError('IO') when it cannot be read. */
export function fileSource(file: string): ChunkSource {
  let sizeBytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    sizeBytes = stat.size;
  } catch (e) {
    throw new LeakLensError('IO', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  return { name: file, sizeBytes, chunks: () => readChunks(file) };
}

