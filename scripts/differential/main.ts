// `npm run differential -- --count N [--seed S] [--batch B] [--examples K] [--coverage] [--json FILE]`: runs N random instructions
// in QEMU and in hvdbg, prints the agreement rate and the grouped disagreements; exits 1 when any
// disagreement has no documented explanation.
import { writeFileSync } from 'node:fs';
import { formatCoverage, formatReport, jsonReport } from './report.js';
import { runDifferential } from './run.js';

interface Args { count: number; seed: number; batch: number; examples: number; coverage: boolean; json?: string; qemu?: string }

function parseArgs(argv: string[]): Args {
  const args: Args = { count: 10_000, seed: Date.now() % 1_000_000, batch: 4000, examples: 1, coverage: false };
  for (let k = 0; k < argv.length; k++) {
    const name = argv[k], value = argv[k + 1];
    const int = (): number => {
      if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${name} needs a non-negative integer, got ${value ?? 'nothing'}`);
      k++;
      return Number(value);
    };
    switch (name) {
      case '--count': args.count = int(); break;
      case '--seed': args.seed = int(); break;
      case '--batch': args.batch = Math.max(1, int()); break;
      case '--examples': args.examples = int(); break;
      case '--coverage': args.coverage = true; break;
      case '--json': if (!value) throw new Error('--json needs a file name'); args.json = value; k++; break;
      case '--qemu': if (!value) throw new Error('--qemu needs a path'); args.qemu = value; k++; break;
      case '--help': case '-h':
        console.log('usage: npm run differential -- [--count N] [--seed S] [--batch B] [--examples K] [--coverage] [--json FILE] [--qemu PATH]');
        process.exit(0);
      default: throw new Error(`unknown option ${name} (try --help)`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  let args: Args;
  try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`differential: ${(e as Error).message}`); process.exit(2); }
  const result = await runDifferential({
    count: args.count, seed: args.seed, batch: args.batch, qemuBinary: args.qemu,
    onBatch: (done, total) => { if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} `); },
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  console.log(formatReport(result, args.examples));
  if (args.coverage) console.log(formatCoverage(result));
  if (args.json) writeFileSync(args.json, JSON.stringify(jsonReport(result), null, 1));
  const unexplained = result.disagreements.filter((d) => d.explanations.length === 0).length;
  if (unexplained) console.log(`${unexplained} disagreement(s) without a documented explanation`);
  process.exitCode = unexplained ? 1 : 0;
}

main().catch((e) => { console.error(`differential: ${e instanceof Error ? e.message : String(e)}`); process.exit(2); });
