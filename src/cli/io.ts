/** The CLI's only contact with the terminal, so subcommands can be run in-process by tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: live one-line status is drawn only then. */
  readonly stderrIsTty: boolean;
  readonly cwd: string;
}

export const nodeIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  get stderrIsTty() {
    return process.stderr.isTTY === true;
  },
  get cwd() {
    return process.cwd();
  },
};
