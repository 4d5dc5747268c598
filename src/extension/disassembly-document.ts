// Read-only documents with the guest's instructions around an address (DAP disassemble), for VM events
// whose site has no source line: the event's instruction is marked with "▶".
import * as vscode from 'vscode';

export const DISASSEMBLY_SCHEME = 'hvdbg-disassembly';

interface Listing { text: string; markedLine: number }

export class DisassemblyDocuments implements vscode.TextDocumentContentProvider {
  private readonly listings = new Map<string, Listing>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.listings.get(uri.toString())?.text ?? 'hvdbg: this listing is no longer available\n';
  }

  /** Disassembles around address in session and shows it; returns the document's URI. */
  async show(session: vscode.DebugSession, address: number, title: string): Promise<vscode.Uri> {
    const hex = `0x${(address >>> 0).toString(16).padStart(8, '0')}`;
    const body = await session.customRequest('disassemble', { memoryReference: hex, instructionOffset: -8, instructionCount: 24, resolveSymbols: true }) as
      { instructions: { address: string; instructionBytes?: string; instruction: string; symbol?: string }[] };
    let markedLine = 0;
    const lines = [`; ${title}`, `; guest instructions around ${hex} (the event's instruction is marked ▶)`, ''];
    let lastSymbol = '';
    for (const i of body.instructions) {
      if (i.symbol && i.symbol !== lastSymbol) { lines.push(`${i.symbol}:`); lastSymbol = i.symbol; }
      const here = Number(i.address) === (address >>> 0);
      if (here) markedLine = lines.length;
      lines.push(`${here ? '▶' : ' '} ${i.address}  ${(i.instructionBytes ?? '').padEnd(24)} ${i.instruction}`);
    }
    const uri = vscode.Uri.from({ scheme: DISASSEMBLY_SCHEME, path: `/${hex}.disasm`, query: `${session.id}-${Date.now()}` });
    this.listings.set(uri.toString(), { text: lines.join('\n') + '\n', markedLine });
    const editor = await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true });
    const position = new vscode.Position(markedLine, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return uri;
  }
}
