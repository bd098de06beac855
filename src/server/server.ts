/**
 * Language server entry point (bundled to dist/server.js). The transport comes from the command
 * line, as vscode-languageserver reads it: `--node-ipc` when started by the extension, `--stdio`
 * for tests, benchmarks and other editors.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { toError } from '../shared/errors';
import { LeakLensServer } from './leakLensServer';

const connection = createConnection(ProposedFeatures.all);

// A bug in one request must not take diagnostics away for the rest of the session: log it to the
// client's output and keep serving. The client restarts the process if it dies anyway.
process.on('uncaughtException', (e) => connection.console.error(`Leak Lens server: uncaught ${toError(e).stack ?? String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`Leak Lens server: unhandled rejection ${toError(e).stack ?? String(e)}`));

new LeakLensServer(connection).listen();
