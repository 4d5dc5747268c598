// The VM exit event: one crossing from guest to hypervisor under the `hw` strategy, with the guest
// state that matters and a decoded, VT-x-shaped exit qualification (SDM Vol. 3, 28.2.1).
import { ExitReason } from './exit-reasons.js';
import type { EventSite } from './event-site.js';

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

/** Control-register access qualification (SDM Table 28-3). */
export interface CrAccessQualification {
  cr: number;                                             // control register number (0, 3, 4, 8)
  accessType: 'mov-to-cr' | 'mov-from-cr' | 'clts' | 'lmsw'; // access type (bits 5:4)
  register?: number;                                      // general register of MOV CR (bits 11:8)
  oldValue: number;                                       // register content before the access
  newValue?: number;                                      // value written (MOV to CR, CLTS, LMSW)
}

/** MOV DR qualification (SDM Table 28-4). */
export interface DrAccessQualification { dr: number; direction: 'to-dr' | 'from-dr'; register: number }

/** RDMSR/WRMSR: the MSR index (ECX) and, for WRMSR, the value (EDX:EAX). */
export interface MsrQualification { index: number; value?: bigint }

/** Exception or NMI exit (exception bitmap): vector, error code, and the fault's description. */
export interface ExceptionQualification { vector: number; errorCode?: number; detail: string; cr2?: number }

/** EPT violation qualification (SDM Table 28-7): what the access was and the guest-physical address. */
export interface EptViolationQualification {
  read: boolean; write: boolean; execute: boolean;        // the access that caused it (bits 0–2)
  readable: boolean; writable: boolean; executable: boolean; // what the EPT entry allows (bits 3–5)
  guestPhysical: number;                                  // guest-physical address accessed
  guestLinear?: number;                                   // guest-linear address, when valid
  size: number;                                           // access size in bytes
  value?: number;                                         // value written or read, when known
}

/** Task-switch qualification (SDM Table 28-2): the target TSS selector (bits 15:0) and the source (bits 31:30). */
export interface TaskSwitchQualification {
  selector: number;                                       // selector of the TSS switched to
  source: 'call' | 'iret' | 'jmp' | 'task-gate-in-idt';   // 0 CALL, 1 IRET, 2 JMP, 3 task gate in IDT
}

/** Common fields of every VM exit. */
interface ExitCommon extends EventSite {
  kind: 'exit';
  cause: string;             // which control caused the exit ('unconditional', 'I/O bitmap', 'exception bitmap bit 14' …)
}

export type VmExit =
  | (ExitCommon & { reason: ExitReason.IoInstruction; io: IoQualification })
  | (ExitCommon & { reason: ExitReason.Cpuid; cpuid: CpuidQualification })
  | (ExitCommon & { reason: ExitReason.Hlt })
  | (ExitCommon & { reason: ExitReason.TripleFault; description: string })
  | (ExitCommon & { reason: ExitReason.CrAccess; crAccess: CrAccessQualification })
  | (ExitCommon & { reason: ExitReason.DrAccess; drAccess: DrAccessQualification })
  | (ExitCommon & { reason: ExitReason.Rdmsr | ExitReason.Wrmsr; msr: MsrQualification })
  | (ExitCommon & { reason: ExitReason.ExceptionOrNmi; exception: ExceptionQualification })
  | (ExitCommon & { reason: ExitReason.ExternalInterrupt; vector: number })
  | (ExitCommon & { reason: ExitReason.Invlpg; linear: number })
  | (ExitCommon & { reason: ExitReason.EptViolation; ept: EptViolationQualification })
  | (ExitCommon & { reason: ExitReason.TaskSwitch; taskSwitch: TaskSwitchQualification })
  | (ExitCommon & { reason: ExitReason.Rdpmc; counter: number })        // ECX: no qualification in VT-x; the counter read
  | (ExitCommon & { reason: ExitReason.Sipi; vector: number })          // the SIPI vector (qualification bits 7:0)
  | (ExitCommon & { reason: Exclude<ExitReason, ExitReason.IoInstruction | ExitReason.Cpuid | ExitReason.Hlt
      | ExitReason.TripleFault | ExitReason.CrAccess | ExitReason.DrAccess | ExitReason.Rdmsr | ExitReason.Wrmsr
      | ExitReason.ExceptionOrNmi | ExitReason.ExternalInterrupt | ExitReason.Invlpg | ExitReason.EptViolation
      | ExitReason.TaskSwitch | ExitReason.Rdpmc | ExitReason.Sipi> });
