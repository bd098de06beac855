// Bundles devtools-driver.mjs (DevTools' heap snapshot worker sources, TypeScript) into
// bench/.work/devtools-driver.mjs. DevTools generates core/i18n/locales.js at build time; the
// heap snapshot code only needs the default locale, so it is stubbed.
import * as esbuild from 'esbuild';

export async function buildDevtoolsDriver(outfile) {
  await esbuild.build({
    entryPoints: [new URL('./devtools-driver.mjs', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Node 20 lacks Promise.withResolvers (DevTools targets current Chrome).
    banner: {
      js: 'Promise.withResolvers ??= function () { let resolve, reject; const promise = new Promise((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };',
    },
    plugins: [
      {
        name: 'devtools-locales',
        setup(build) {
          build.onResolve({ filter: /\/locales\.js$/ }, (args) =>
            args.importer.includes('core/i18n') ? { path: 'locales', namespace: 'devtools-locales' } : undefined,
          );
          build.onLoad({ filter: /.*/, namespace: 'devtools-locales' }, () => ({
            contents:
              "export const LOCALES = ['en-US']; export const BUNDLED_LOCALES = ['en-US']; export const DEFAULT_LOCALE = 'en-US';" +
              " export const REMOTE_FETCH_PATTERN = ''; export const LOCAL_FETCH_PATTERN = '';",
            loader: 'js',
          }));
        },
      },
    ],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDevtoolsDriver(process.argv[2]);
