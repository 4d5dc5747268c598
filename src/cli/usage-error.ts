// UsageError: a mistake on the hvdbg command line (unknown option, bad value, missing file name);
// the CLI prints its one-line message and exits with status 2, without a stack trace.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
