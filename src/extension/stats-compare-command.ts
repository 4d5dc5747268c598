// "hvdbg: Compare Strategies…": runs `hvdbg compare --json` out of process with a progress notification,
// puts the result under "Strategy comparison" in the Statistics view, and optionally the table in a terminal.
import * as vscode from 'vscode';
import type { StrategyComparison } from '../../engine/hv/stats/compare.js';
import { runComparison } from './stats-compare.js';
import { STATISTICS_VIEW, type StatisticsView } from './stats-view.js';

/** Each run's default bound: enough for the example guests, short enough to wait for. */
export const DEFAULT_COMPARE_INSTRUCTIONS = 50_000_000;
export const DEFAULT_COMPARE_TIMEOUT_SECONDS = 60;

export interface CompareCommandOptions {
  strategies?: string[];
  maxInstructions?: number;
  timeoutSeconds?: number;
  terminal?: boolean;      // also print the text table in a terminal (`hvdbg compare` without --json)
}

/** Runs the comparison, shows it in the Statistics view and returns it (undefined when it failed). */
export async function compareIntoStatistics(context: vscode.ExtensionContext, statistics: StatisticsView, kernel: string,
  options: CompareCommandOptions = {}): Promise<StrategyComparison | undefined> {
  const cli = context.asAbsolutePath('dist/cli.js');
  const maxInstructions = options.maxInstructions ?? DEFAULT_COMPARE_INSTRUCTIONS;
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_COMPARE_TIMEOUT_SECONDS;
  if (options.terminal) {
    const terminal = vscode.window.createTerminal({ name: 'hvdbg compare', shellPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' },
      shellArgs: [cli, 'compare', kernel, '--max-instructions', String(maxInstructions), ...(options.strategies ? ['--strategies', options.strategies.join(',')] : [])] });
    terminal.show();
  }
  try {
    const comparison = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `hvdbg: comparing strategies on ${kernel.split(/[\\/]/).pop()}` },
      () => runComparison({ cli, kernel, strategies: options.strategies, maxInstructions, timeoutSeconds }));
    statistics.showComparison(comparison);
    await vscode.commands.executeCommand(`${STATISTICS_VIEW}.focus`);
    return comparison;
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
