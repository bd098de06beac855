/** The inspector layer's public surface (see CONTRACTS.md "Inspector"). */
export type { AttachOptions, Connection } from './attach';
export { connect } from './attach';
export type { ClusterWatch } from './cluster';
export { discoverClusterWorkers, watchCluster } from './cluster';
export type { DiscoveredProcess } from './discover';
export { discoverProcesses } from './discover';
export type { InspectorSession } from './session';
export type { Watch, WatchEnd, WatchOptions } from './watch';
export { watch } from './watch';
