// The VM exit event: one crossing from guest to hypervisor, with the guest state that matters and a
// decoded, VT-x-shaped exit qualification.
import { ExitReason } from './exit-reasons.js';

/** I/O instruction qualification (SDM Table 28-5): size, direction, string, REP, port. */
export interface IoQualification {
  size: 1 | 2 | 4;          // access size in bytes
  direction: 'in' | 'out';  // IN/INS = in, OUT/OUTS = out
  string: boolean;          // INS/OUTS
  rep: boolean;             // REP prefix present
  port: number;             // I/O port number
  value?: number;           // value written (OUT) or read (IN), when known
}

/** CPUID qualification: the leaf and subleaf requested. */
export interface CpuidQualification { leaf: number; subleaf: number }

/** Common fields of every VM exit. */
interface ExitCommon {
  kind: 'exit';
  vcpu: number;              // vCPU index
  instructions: number;      // retired-instruction count at the exit
  cs: number;                // guest CS selector
  eip: number;               // guest EIP of the exiting instruction
  cpl: number;               // current privilege level
  mode: 'real' | 'protected' | 'v86';
  instructionBytes: number[]; // bytes of the exiting instruction
  cause: string;             // which control caused the exit ('unconditional', 'I/O bitmap', …)
}

export type VmExit =
  | (ExitCommon & { reason: ExitReason.IoInstruction; io: IoQualification })
  | (ExitCommon & { reason: ExitReason.Cpuid; cpuid: CpuidQualification })
  | (ExitCommon & { reason: ExitReason.Hlt })
  | (ExitCommon & { reason: ExitReason.TripleFault; description: string })
  | (ExitCommon & { reason: Exclude<ExitReason, ExitReason.IoInstruction | ExitReason.Cpuid | ExitReason.Hlt | ExitReason.TripleFault> });
