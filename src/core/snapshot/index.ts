/** Heap snapshot engine: parse, analyse, summarise and diff V8 heap snapshots. Pure: no fs. */
export * from './analyze';
export * from './diff';
export * from './dominators';
export * from './heapSnapshot';
export * from './identity';
export * from './parser';
export * from './reports';
export * from './retainers';
export * from './summary';
