// Entry point of dist/adapter.js: DAP over stdin/stdout (how VS Code starts it), or with `--port N` a
// server on 127.0.0.1:N with one session per connection (nvim-dap, Emacs dap-mode, tests).
import { ADAPTER_USAGE, parseAdapterArgs } from './adapter-args.js';
import { HvdbgSession } from './session.js';
import { serveOnPort } from './server.js';

function main(): void {
  const mode = parseAdapterArgs(process.argv.slice(2));
  switch (mode.kind) {
    case 'stdio': {
      const session = new HvdbgSession();
      process.on('SIGTERM', () => session.shutdown());
      session.start(process.stdin, process.stdout);
      return;
    }
    case 'port':
      serveOnPort(mode.port).then((server) => {
        const address = server.address();
        const actual = typeof address === 'object' && address ? address.port : mode.port;
        process.stderr.write(`hvdbg debug adapter listening on 127.0.0.1:${actual}\n`);
      }, (error: Error) => {
        process.stderr.write(`hvdbg debug adapter: cannot listen on 127.0.0.1:${mode.port}: ${error.message}\n`);
        process.exitCode = 1;
      });
      return;
    case 'help':
      process.stdout.write(ADAPTER_USAGE);
      return;
    case 'error':
      process.stderr.write(`hvdbg debug adapter: ${mode.message}\n${ADAPTER_USAGE}`);
      process.exitCode = 2;
  }
}

main();
