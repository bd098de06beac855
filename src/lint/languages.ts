/**
 * The files Leak Lens lints, in one place: scan's discovery, the linter's import resolution, the
 * language server's file watcher and the editor's document selector all derive from this list.
 * No TypeScript import here: the extension bundle uses it too.
 */

/** Extensions in the order an extension-less import specifier is resolved (TypeScript sources first). */
export const lintableExtensions = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

/** `**\/*.{ts,tsx,…}`: a glob for every lintable file. */
export const lintableGlob = `**/*.{${lintableExtensions.map((e) => e.slice(1)).join(',')}}`;

/** True for a file Leak Lens lints; declaration files (`.d.ts`, `.d.mts`, `.d.cts`) run nothing and are not. */
export function isLintableFile(path: string): boolean {
  const lower = path.toLowerCase();
  return lintableExtensions.some((e) => lower.endsWith(e)) && !/\.d\.[cm]?ts$/.test(lower);
}
