// Entry point of dist/cli.js, the `hvdbg` command: dispatches to run, dap and help, and turns usage
// and load errors into one stderr line with exit status 2.
import { COMPARE_HELP, compareCommand } from './compare-command.js';
import { dapCommand } from './dap-command.js';
import { EXIT_BAD_INPUT, EXIT_INTERNAL } from './exit-status.js';
import { MAIN_HELP, RUN_HELP } from './help.js';
import { runCommand } from './run-command.js';
import { UsageError } from './usage-error.js';
import { version } from '../../package.json';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': return runCommand(rest);
    case 'dap': return dapCommand(rest);
    case 'compare': return compareCommand(rest);
    case 'help': case '-h': case '--help':
      process.stdout.write(rest[0] === 'run' ? RUN_HELP : rest[0] === 'compare' ? COMPARE_HELP : MAIN_HELP);
      return 0;
    case '--version': case '-V':
      process.stdout.write(`hvdbg ${version}\n`);
      return 0;
    case undefined:
      process.stderr.write(MAIN_HELP);
      return EXIT_BAD_INPUT;
    default:
      throw new UsageError(`hvdbg: unknown command '${command}' (see hvdbg --help)`);
  }
}

main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
}, (error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  } else {
    process.stderr.write(`hvdbg: internal error (please report it): ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
});
