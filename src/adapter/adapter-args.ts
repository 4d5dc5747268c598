// The debug adapter's command line: no options for DAP over stdio, `--port N` for a TCP server.

export const ADAPTER_USAGE = `usage: node dist/adapter.js [--port N]
  (no options)  speak the Debug Adapter Protocol on stdin/stdout
  --port N      listen on 127.0.0.1:N (N = 0 picks a free port); one debug session per connection
`;

/** What the command line asks for. */
export type AdapterMode =
  | { kind: 'stdio' }
  | { kind: 'port'; port: number }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** Parses the adapter's arguments (without node and the script path). */
export function parseAdapterArgs(argv: readonly string[]): AdapterMode {
  if (argv.length === 0) return { kind: 'stdio' };
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) return { kind: 'help' };
  const value = argv[0] === '--port' && argv.length === 2 ? argv[1]
    : argv.length === 1 && argv[0].startsWith('--port=') ? argv[0].slice('--port='.length) : undefined;
  if (value === undefined) return { kind: 'error', message: `unexpected arguments: ${argv.join(' ')}` };
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) return { kind: 'error', message: `--port needs a TCP port number 0-65535, not "${value}"` };
  return { kind: 'port', port };
}
