// The inspection tree: what the debugger shows about the machine (registers, control registers,
// descriptor tables, FPU, virtualization) as named nodes, built fresh from the live state on each ask.

/** Where a node's value lives in guest memory (for DAP memoryReference). */
export interface MemoryLocation {
  space: 'linear' | 'physical'; // which address space `address` is in
  address: number;              // the address (unsigned 32-bit)
}

/** One shown value; children are computed only when the user expands the node. */
export interface InspectNode {
  name: string;                        // unique among its siblings
  value: string;                       // the text shown
  type?: string;                       // a short type label ("uint32", "selector", "gate")
  memory?: MemoryLocation;             // the memory this value points at, when it is an address
  children?: () => InspectNode[];      // the node expands into these
  editable?: boolean;                  // setVariable can change it (see register-edit.ts)
}

/** A leaf node. */
export function leaf(name: string, value: string, type?: string, memory?: MemoryLocation): InspectNode {
  return { name, value, type, memory };
}

/** Splits a long child list into groups of groupSize ("[0–255]", …) so a client never gets thousands at once. */
export function groupChildren(nodes: InspectNode[], groupSize = 256): InspectNode[] {
  if (nodes.length <= groupSize) return nodes;
  const groups: InspectNode[] = [];
  for (let start = 0; start < nodes.length; start += groupSize) {
    const slice = nodes.slice(start, start + groupSize);
    groups.push({ name: `[${start}–${start + slice.length - 1}]`, value: `${slice.length} entries`, children: () => slice });
  }
  return groups;
}

/** Follows a path of child names from a root; undefined when some name is not there (any more). */
export function findNode(roots: readonly InspectNode[], path: readonly string[]): InspectNode | undefined {
  let level: readonly InspectNode[] = roots;
  let node: InspectNode | undefined;
  for (const name of path) {
    node = level.find((n) => n.name === name);
    if (!node) return undefined;
    level = node.children?.() ?? [];
  }
  return node;
}
