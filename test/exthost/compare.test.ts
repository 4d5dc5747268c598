// Extension-host test of "Compare Strategies…": it runs `hvdbg compare --json` out of process on the
// example guest and the Statistics view gains a "Strategy comparison" node with per-reason rows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from './runner.js';

interface Row { label: string; description: string; children?: Row[] }
interface Comparison { kernel: string; maxInstructions: number | null; strategies: Array<{ strategy: string; ran: boolean; instructions?: number; events?: number }> }

suite('hvdbg extension: strategy comparison in the Statistics view', () => {
  test('Compare Strategies… fills the Strategy comparison node from a child process', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the harness opens a workspace folder');
    await vscode.commands.executeCommand('hvdbg.openExample', { target: folder.uri.fsPath, open: false });
    const kernel = vscode.Uri.joinPath(folder.uri, 'guests/hello/kernel-O0.elf').fsPath;
    const comparison = await vscode.commands.executeCommand<Comparison | undefined>('hvdbg.compareStrategies', kernel, { maxInstructions: 300_000 });
    assert.ok(comparison, 'the comparison ran');
    assert.equal(comparison.kernel, kernel);
    assert.equal(comparison.maxInstructions, 300_000);
    assert.deepEqual(comparison.strategies.map((s) => [s.strategy, s.ran]), [['hw', true], ['bt', true]]);
    for (const s of comparison.strategies) assert.ok((s.instructions ?? 0) > 0 && (s.events ?? 0) > 0, `${s.strategy} ran and logged events`);
    const rows = await vscode.commands.executeCommand<Row[]>('hvdbg.statisticsRows');
    const node = rows.find((r) => r.label === 'Strategy comparison');
    assert.ok(node, `the view has the comparison node (rows: ${rows.map((r) => r.label).join(', ')})`);
    assert.deepEqual(node.children?.map((c) => c.label), ['hw', 'bt', 'per reason']);
    const perReason = node.children![2].children ?? [];
    assert.ok(perReason.length > 0, 'per-reason rows');
    for (const row of perReason) assert.match(row.description, /^hw (-|[\d,]+ \/ \S+) · bt (-|[\d,]+ \/ \S+)$/);
    const bad = await vscode.commands.executeCommand<Comparison | undefined>('hvdbg.compareStrategies', vscode.Uri.joinPath(folder.uri, 'no-such.elf').fsPath);
    assert.equal(bad, undefined, 'a missing kernel is reported, not returned');
  }, 120_000);
});
