// Hands out DAP variablesReferences (≥ FEATURE_REFERENCE_BASE) for the inspection scopes and their
// expandable nodes. A reference names a (vCPU, scope, path) and stays the same for the session, so
// its children are always rebuilt from the live machine state when asked.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { InspectNode } from '../../../engine/debug/inspect/node.js';
import { formatMemoryReference } from '../../../engine/debug/inspect/memory-reference.js';
import { FEATURE_REFERENCE_BASE, RequestError } from '../session-feature.js';

/** What a reference stands for. */
export interface ReferenceTarget {
  vcpu: number;            // the vCPU whose state it shows
  scope: string;           // the scope's name ("Registers", "Control" …)
  path: readonly string[]; // child names from the scope down to the node ([] for the scope itself)
}

/** Reference numbers this store may hand out before it refuses (a client expanding forever). */
const MAX_REFERENCES = 1_000_000;

export class VariableStore {
  private readonly byKey = new Map<string, number>();
  private readonly targets: ReferenceTarget[] = [];   // index = reference - FEATURE_REFERENCE_BASE

  /** The reference for a target (the same number every time it is asked for). */
  referenceFor(target: ReferenceTarget): number {
    const key = JSON.stringify([target.vcpu, target.scope, target.path]);
    let reference = this.byKey.get(key);
    if (reference === undefined) {
      if (this.targets.length >= MAX_REFERENCES) throw new RequestError(`more than ${MAX_REFERENCES} expanded variables in this session`);
      reference = FEATURE_REFERENCE_BASE + this.targets.length;
      this.targets.push({ vcpu: target.vcpu, scope: target.scope, path: [...target.path] });
      this.byKey.set(key, reference);
    }
    return reference;
  }

  /** The target of a reference this store handed out, or undefined. */
  targetOf(reference: number): ReferenceTarget | undefined {
    return this.targets[reference - FEATURE_REFERENCE_BASE];
  }

  /** A node as a DAP variable; an expandable node gets a reference to its own path. */
  toVariable(node: InspectNode, parent: ReferenceTarget): DebugProtocol.Variable {
    const variable: DebugProtocol.Variable = {
      name: node.name,
      value: node.value,
      variablesReference: node.children ? this.referenceFor({ ...parent, path: [...parent.path, node.name] }) : 0,
    };
    if (node.type) variable.type = node.type;
    if (node.memory) variable.memoryReference = formatMemoryReference(node.memory);
    if (!node.editable) variable.presentationHint = { attributes: ['readOnly'] };
    return variable;
  }
}
