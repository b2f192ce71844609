/**
 * Thrown by commands that already reported; carries only the exit code. Its own file, with no
 * imports, so that main.ts can recognise it without loading the settings reportError reads.
 */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
