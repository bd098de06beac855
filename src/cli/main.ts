/**
 * `leak-lens` entry point: dispatches to one module per subcommand. Each subcommand module exports
 * `run(argv, io)` and returns the process exit code.
 */
import { LeakLensError, UsageError, toError } from '../shared/errors';
import type { CliIo } from './io';
import { nodeIo } from './io';

interface Subcommand {
  summary: string;
  load(): Promise<{ run(argv: string[], io: CliIo): Promise<number> }>;
}

// One line per subcommand, sorted.
const subcommands: Record<string, Subcommand> = {
  demo: { summary: 'run the bundled leaky demo server, watch it and show what leaks', load: () => import('./demo.js') },
  snapshot: { summary: 'summarise, diff (2 or 3 snapshots) or take heap snapshots', load: () => import('./snapshot.js') },
  watch: { summary: 'attach to a running Node.js process and find what leaks', load: () => import('./watch.js') },
};

declare const LEAK_LENS_VERSION: string | undefined;

function usage(): string {
  const lines = Object.entries(subcommands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: leak-lens <command> [options]',
    '',
    'Find memory and resource leaks in Node.js programs.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `leak-lens <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = nodeIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${typeof LEAK_LENS_VERSION === 'string' ? LEAK_LENS_VERSION : 'dev'}\n`);
    return 0;
  }
  const subcommand = subcommands[name];
  try {
    if (!subcommand) throw new UsageError(`unknown command "${name}"`);
    const module = await subcommand.load();
    return await module.run(rest, io);
  } catch (e) {
    const error = toError(e);
    if (error instanceof UsageError) {
      io.stderr(`leak-lens: ${error.message}\n\n${usage()}\n`);
      return 2;
    }
    io.stderr(`leak-lens: ${error instanceof LeakLensError ? error.message : error.stack ?? error.message}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`leak-lens: ${toError(e).stack}\n`);
      process.exitCode = 2;
    },
  );
}
