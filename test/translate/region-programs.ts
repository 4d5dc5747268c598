// Hand-assembled guest programs for region-edges.test.ts, one instruction a line (address and
// assembly in the comment). Code at CODE (0x10000) unless noted; ring-3 code at USER_CODE (0x20000).

// Each pass stores CL at [EDI]: a data byte (EDI = DATA) for 100 passes, so the storing block is in
// the page's region, then the MOV EAX immediate right after the store on the same page.
export const SMC_SAME_PAGE = [
  0x88, 0x0F,                           // 10000 loop: mov [edi], cl
  0xB8, 0x00, 0x00, 0x00, 0x00,         // 10002: mov eax, imm32   (the byte at 10003 is patched)
  0x01, 0xC3,                           // 10007: add ebx, eax
  0x41,                                 // 10009: inc ecx
  0x83, 0xF9, 0x64,                     // 1000a: cmp ecx, 100
  0x75, 0x05,                           // 1000d: jne 10014
  0xBF, 0x03, 0x00, 0x01, 0x00,         // 1000f: mov edi, 10003
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 10014: cmp ecx, 300
  0x75, 0xE4,                           // 1001a: jne loop
  0xF4,                                 // 1001c: hlt
];

// Page A patches the immediate of a function on page B (every 16th pass) and, from pass 40 on,
// calls it: page B becomes code after the patches started (the direct map learned it writable) and
// holds a region of its own when later patches land.
export const SMC_CALLER = [
  0xF7, 0xC1, 0x0F, 0x00, 0x00, 0x00,   // 10000 loop: test ecx, 15
  0x75, 0x06,                           // 10006: jne 1000e
  0x88, 0x0D, 0x01, 0x10, 0x01, 0x00,   // 10008: mov byte [11001], cl   (funcb's immediate)
  0x83, 0xF9, 0x28,                     // 1000e: cmp ecx, 40
  0x72, 0x07,                           // 10011: jb 1001a
  0xE8, 0xE8, 0x0F, 0x00, 0x00,         // 10013: call funcb (11000)
  0x01, 0xC3,                           // 10018: add ebx, eax
  0x41,                                 // 1001a: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 1001b: cmp ecx, 300
  0x75, 0xDD,                           // 10021: jne loop
  0xF4,                                 // 10023: hlt
];

// Page B (CODE + 0x1000).
export const SMC_CALLEE = [
  0xB8, 0x00, 0x56, 0x34, 0x12,         // 11000 funcb: mov eax, 0x12345600
  0x01, 0xC6,                           // 11005: add esi, eax
  0xC3,                                 // 11007: ret
];

// Reads [esi] and writes [esi+8], 64 bytes further each pass, from linear 0x400000 (RAM at 0x70000)
// into 0x401000, which is not present (read fault) or read-only (write fault, CR0.WP on).
export const WALK_PAGES = [
  0x41,                                 // 10000 loop: inc ecx
  0x8B, 0x06,                           // 10001: mov eax, [esi]
  0x01, 0xC3,                           // 10003: add ebx, eax
  0x89, 0x4E, 0x08,                     // 10005: mov [esi+8], ecx
  0x83, 0xC6, 0x40,                     // 10008: add esi, 64
  0xEB, 0xF3,                           // 1000b: jmp loop
];

// Reads [0x400000] and writes [0x400004] each pass. After pass 100 the guest points the PTE at
// frame 0x71000 and runs INVLPG; after pass 200 at 0x72000 and reloads CR3.
export const PTE_400000 = 0x102000;  // the second page table PageTables allocates (the test asserts it)
export const REMAP_LOOP = [
  0xA1, 0x00, 0x00, 0x40, 0x00,                         // 10000 loop: mov eax, [400000]
  0x01, 0xC3,                                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x40, 0x00,                   // 10007: mov [400004], ecx
  0x41,                                                 // 1000d: inc ecx
  0x83, 0xF9, 0x64,                                     // 1000e: cmp ecx, 100
  0x75, 0x11,                                           // 10011: jne 10024
  0xC7, 0x05, 0x00, 0x20, 0x10, 0x00, 0x03, 0x10, 0x07, 0x00, // 10013: mov dword [102000], 0x71003
  0x0F, 0x01, 0x3D, 0x00, 0x00, 0x40, 0x00,             // 1001d: invlpg [400000]
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,                   // 10024: cmp ecx, 200
  0x75, 0x10,                                           // 1002a: jne 1003c
  0xC7, 0x05, 0x00, 0x20, 0x10, 0x00, 0x03, 0x20, 0x07, 0x00, // 1002c: mov dword [102000], 0x72003
  0x0F, 0x20, 0xDA,                                     // 10036: mov edx, cr3
  0x0F, 0x22, 0xDA,                                     // 10039: mov cr3, edx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,                   // 1003c: cmp ecx, 300
  0x75, 0xBC,                                           // 10042: jne loop
  0xF4,                                                 // 10044: hlt
];

// Ring 0 reads and writes a supervisor page (0x402000) 100 times, then IRETs to ring 3, which
// loops over a user page (0x403000) and after 100 passes turns to the supervisor page: #PF (P|U).
export const KERNEL_THEN_USER = [
  0xA1, 0x00, 0x20, 0x40, 0x00,         // 10000 kloop: mov eax, [402000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x20, 0x40, 0x00,   // 10007: mov [402004], ecx
  0x41,                                 // 1000d: inc ecx
  0x83, 0xF9, 0x64,                     // 1000e: cmp ecx, 100
  0x75, 0xED,                           // 10011: jne kloop
  0x6A, 0x23,                           // 10013: push 0x23        (SS = UDATA)
  0x68, 0x00, 0x00, 0x04, 0x00,         // 10015: push 0x40000     (ESP = USTACK_TOP)
  0x6A, 0x02,                           // 1001a: push 2           (EFLAGS)
  0x6A, 0x1B,                           // 1001c: push 0x1b        (CS = UCODE)
  0x68, 0x00, 0x00, 0x02, 0x00,         // 1001e: push 0x20000     (EIP = USER_CODE)
  0xCF,                                 // 10023: iret
];

// Ring 3 (at USER_CODE): loads DS/ES with UDATA, then 100 passes over 0x403000, then 0x402000.
export const USER_LOOP = [
  0x66, 0xB8, 0x23, 0x00,               // 20000: mov ax, 0x23
  0x8E, 0xD8,                           // 20004: mov ds, ax
  0x8E, 0xC0,                           // 20006: mov es, ax
  0xBA, 0x00, 0x30, 0x40, 0x00,         // 20008: mov edx, 0x403000
  0x8B, 0x02,                           // 2000d uloop: mov eax, [edx]
  0x01, 0xC3,                           // 2000f: add ebx, eax
  0x89, 0x4A, 0x04,                     // 20011: mov [edx+4], ecx
  0x41,                                 // 20014: inc ecx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 20015: cmp ecx, 200
  0x75, 0x05,                           // 2001b: jne 20022
  0xBA, 0x00, 0x20, 0x40, 0x00,         // 2001d: mov edx, 0x402000   (the supervisor page)
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 20022: cmp ecx, 300
  0x75, 0xE3,                           // 20028: jne uloop
  0xF4,                                 // 2002a: hlt
];

// Reads [0x150000] and writes [0x150004] each pass; every 64th pass toggles A20 through port 0x92,
// so the accesses alternate between 0x150000 and its alias 0x050000.
export const A20_LOOP = [
  0xA1, 0x00, 0x00, 0x15, 0x00,         // 10000 loop: mov eax, [150000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x15, 0x00,   // 10007: mov [150004], ecx
  0x41,                                 // 1000d: inc ecx
  0xF7, 0xC1, 0x3F, 0x00, 0x00, 0x00,   // 1000e: test ecx, 63
  0x75, 0x06,                           // 10014: jne 1001c
  0xE4, 0x92,                           // 10016: in al, 0x92
  0x34, 0x02,                           // 10018: xor al, 2
  0xE6, 0x92,                           // 1001a: out 0x92, al
  0x81, 0xF9, 0x40, 0x01, 0x00, 0x00,   // 1001c: cmp ecx, 320
  0x75, 0xDC,                           // 10022: jne loop
  0xF4,                                 // 10024: hlt
];

// Three blocks: a pass adds ECX & 3 to EDX, and every 4th pass adds ECX to EBX and copies it to EDI
// through the stack.
export const BUDGET_LOOP = [
  0x41,                                 // 10000 loop: inc ecx
  0x89, 0xC8,                           // 10001: mov eax, ecx
  0x83, 0xE0, 0x03,                     // 10003: and eax, 3
  0x75, 0x04,                           // 10006: jne 1000c
  0x01, 0xCB,                           // 10008: add ebx, ecx
  0x53,                                 // 1000a: push ebx
  0x5F,                                 // 1000b: pop edi
  0x01, 0xC2,                           // 1000c: add edx, eax
  0x81, 0xF9, 0x90, 0x01, 0x00, 0x00,   // 1000e: cmp ecx, 400
  0x75, 0xEA,                           // 10014: jne loop
  0xF4,                                 // 10016: hlt
];

// 8-bit (AH, BH, DH, BL, AL) and 16-bit (SI, DI, BP, 0x66 prefix) register and memory forms, with
// flags from them feeding JS, JAE and ADC.
export const NARROW_LOOP = [
  0x88, 0xCC,                           // 10000 loop: mov ah, cl
  0x00, 0xE7,                           // 10002: add bh, ah
  0x80, 0xC2, 0x07,                     // 10004: add dl, 7
  0x10, 0xDE,                           // 10007: adc dh, bl
  0x66, 0x01, 0xCE,                     // 10009: add si, cx
  0x66, 0xC1, 0xC7, 0x03,               // 1000c: rol di, 3
  0x66, 0x45,                           // 10010: inc bp
  0x66, 0x29, 0xF5,                     // 10012: sub bp, si
  0x66, 0x89, 0x35, 0x00, 0x00, 0x05, 0x00, // 10015: mov [50000], si
  0x88, 0x25, 0x02, 0x00, 0x05, 0x00,   // 1001c: mov [50002], ah
  0x30, 0x35, 0x03, 0x00, 0x05, 0x00,   // 10022: xor [50003], dh
  0x0F, 0xB7, 0x05, 0x00, 0x00, 0x05, 0x00, // 10028: movzx eax, word [50000]
  0x00, 0xC3,                           // 1002f: add bl, al
  0x66, 0xF7, 0xC6, 0x00, 0x80,         // 10031: test si, 0x8000
  0x78, 0x04,                           // 10036: js 1003c
  0x86, 0xE0,                           // 10038: xchg al, ah
  0x01, 0xC3,                           // 1003a: add ebx, eax
  0x66, 0x81, 0xFE, 0x34, 0x12,         // 1003c: cmp si, 0x1234
  0x73, 0x04,                           // 10041: jae 10047
  0x66, 0x83, 0xD7, 0x55,               // 10043: adc di, 0x55
  0x41,                                 // 10047: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 10048: cmp ecx, 300
  0x75, 0xB0,                           // 1004e: jne loop
  0xF4,                                 // 10050: hlt
];

// Page A: 200 passes calling func (RET) and func4 (RET 4) on the same page, then page B: 200 passes
// calling both from there, so their RETs land outside page A's region.
export const CALLS_PAGE_A = [
  0x51,                                 // 10000 aloop: push ecx
  0xE8, 0x19, 0x00, 0x00, 0x00,         // 10001: call func (1001f)
  0x5A,                                 // 10006: pop edx
  0x01, 0xD3,                           // 10007: add ebx, edx
  0x51,                                 // 10009: push ecx
  0xE8, 0x17, 0x00, 0x00, 0x00,         // 1000a: call func4 (10026)
  0x41,                                 // 1000f: inc ecx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 10010: cmp ecx, 200
  0x75, 0xE8,                           // 10016: jne aloop
  0x31, 0xC9,                           // 10018: xor ecx, ecx
  0xE9, 0xE1, 0x0F, 0x00, 0x00,         // 1001a: jmp bloop (11000)
  0x8B, 0x44, 0x24, 0x04,               // 1001f func: mov eax, [esp+4]
  0x01, 0xC6,                           // 10023: add esi, eax
  0xC3,                                 // 10025: ret
  0x8B, 0x44, 0x24, 0x04,               // 10026 func4: mov eax, [esp+4]
  0x31, 0xC7,                           // 1002a: xor edi, eax
  0xD1, 0xC7,                           // 1002c: rol edi, 1
  0xC2, 0x04, 0x00,                     // 1002e: ret 4
];

// Page B (CODE + 0x1000).
export const CALLS_PAGE_B = [
  0x51,                                 // 11000 bloop: push ecx
  0x51,                                 // 11001: push ecx
  0xE8, 0x1F, 0xF0, 0xFF, 0xFF,         // 11002: call func4 (10026)
  0xE8, 0x13, 0xF0, 0xFF, 0xFF,         // 11007: call func (1001f)
  0x58,                                 // 1100c: pop eax
  0x01, 0xC5,                           // 1100d: add ebp, eax
  0x41,                                 // 1100f: inc ecx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 11010: cmp ecx, 200
  0x75, 0xE8,                           // 11016: jne bloop
  0xF4,                                 // 11018: hlt
];

// Reads a dword and a byte and writes a dword and a word of the MMIO page at MMIO_BASE each pass.
export const MMIO_BASE = 0xE0000000;
export const MMIO_LOOP = [
  0xA1, 0x00, 0x00, 0x00, 0xE0,         // 10000 loop: mov eax, [e0000000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x00, 0xE0,   // 10007: mov [e0000004], ecx
  0x66, 0x89, 0x0D, 0x08, 0x00, 0x00, 0xE0, // 1000d: mov [e0000008], cx
  0x0F, 0xB6, 0x15, 0x01, 0x00, 0x00, 0xE0, // 10014: movzx edx, byte [e0000001]
  0x01, 0xD6,                           // 1001b: add esi, edx
  0x41,                                 // 1001d: inc ecx
  0x81, 0xF9, 0x2C, 0x01, 0x00, 0x00,   // 1001e: cmp ecx, 300
  0x75, 0xDA,                           // 10024: jne loop
  0xF4,                                 // 10026: hlt
];

// Ring 3 (at USER_CODE) stack overflows: PUSH in a loop of two blocks (entry +0) or CALL recursion
// (entry +9), ESP walking down from 0x403100 into the not-present page below 0x403000.
export const STACK_OVERFLOWS = [
  0x51,                                 // 20000 ploop: push ecx
  0x41,                                 // 20001: inc ecx
  0xF6, 0xC1, 0x03,                     // 20002: test cl, 3
  0x75, 0xF9,                           // 20005: jne ploop
  0xEB, 0xF7,                           // 20007: jmp ploop
  0x41,                                 // 20009 f: inc ecx
  0xE8, 0xFA, 0xFF, 0xFF, 0xFF,         // 2000a: call f
];

// Reads [0x400000] and writes [0x400004] each pass and runs INVLPG [0x400000] every 8th pass; the
// test moves the PTE between frames between run slices.
export const INVLPG_EVERY_8 = [
  0xA1, 0x00, 0x00, 0x40, 0x00,         // 10000 loop: mov eax, [400000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x00, 0x40, 0x00,   // 10007: mov [400004], ecx
  0x41,                                 // 1000d: inc ecx
  0xF6, 0xC1, 0x07,                     // 1000e: test cl, 7
  0x75, 0x07,                           // 10011: jne 1001a
  0x0F, 0x01, 0x3D, 0x00, 0x00, 0x40, 0x00, // 10013: invlpg [400000]
  0x81, 0xF9, 0xD0, 0x07, 0x00, 0x00,   // 1001a: cmp ecx, 2000
  0x75, 0xDE,                           // 10020: jne loop
  0xF4,                                 // 10022: hlt
];

// 100,000 passes over three blocks (for a breakpoint armed while the region runs).
export const BREAKPOINT_LOOP = [
  0x41,                                 // 10000 loop: inc ecx
  0xF7, 0xC1, 0x01, 0x00, 0x00, 0x00,   // 10001: test ecx, 1
  0x74, 0x02,                           // 10007: je 1000b
  0x01, 0xCB,                           // 10009: add ebx, ecx
  0x83, 0xC2, 0x03,                     // 1000b: add edx, 3
  0x81, 0xF9, 0xA0, 0x86, 0x01, 0x00,   // 1000e: cmp ecx, 100000
  0x75, 0xEA,                           // 10014: jne loop
  0xF4,                                 // 10016: hlt
];

// Divides 1000 by ECX, counting ECX down, with a branch in between: the pass where ECX reaches 0
// raises #DE (from DIV, which the region calls or inlines).
export const DIVIDE_LOOP = [
  0x49,                                 // 10000 loop: dec ecx
  0xB8, 0xE8, 0x03, 0x00, 0x00,         // 10001: mov eax, 1000
  0x31, 0xD2,                           // 10006: xor edx, edx
  0xF7, 0xC1, 0x01, 0x00, 0x00, 0x00,   // 10008: test ecx, 1
  0x74, 0x02,                           // 1000e: je 10012
  0x01, 0xCB,                           // 10010: add ebx, ecx
  0xF7, 0xF1,                           // 10012: div ecx
  0x01, 0xC6,                           // 10014: add esi, eax
  0xEB, 0xE8,                           // 10016: jmp loop
];

// An interrupt handler (at TIMER_HANDLER) that counts its calls in ESI.
export const TIMER_HANDLER = 0x13000;
export const COUNTING_HANDLER = [
  0x46,                                 // 13000: inc esi
  0xCF,                                 // 13001: iret
];

// Reads [DS:0x8000] and writes [DS:0x8004] each pass; after pass 100 the guest loads DS with the
// selector 0x40, a data segment based at 0x50000 (no longer flat: regions must not assume it).
export const BASED_DS = 0x40;
export const DS_SWITCH_LOOP = [
  0xA1, 0x00, 0x80, 0x00, 0x00,         // 10000 loop: mov eax, [8000]
  0x01, 0xC3,                           // 10005: add ebx, eax
  0x89, 0x0D, 0x04, 0x80, 0x00, 0x00,   // 10007: mov [8004], ecx
  0x41,                                 // 1000d: inc ecx
  0x83, 0xF9, 0x64,                     // 1000e: cmp ecx, 100
  0x75, 0x06,                           // 10011: jne 10019
  0x66, 0xBA, 0x40, 0x00,               // 10013: mov dx, 0x40
  0x8E, 0xDA,                           // 10017: mov ds, dx
  0x81, 0xF9, 0xC8, 0x00, 0x00, 0x00,   // 10019: cmp ecx, 200
  0x75, 0xDF,                           // 1001f: jne loop
  0xF4,                                 // 10021: hlt
];

// Stores ECX as a dword at [ESI], ESI one byte further each pass, until a store straddles into the
// read-only page at 0x401000 (two blocks, so the loop is re-entered through its region).
export const STRADDLING_STORES = [
  0x89, 0x0E,                           // 10000 loop: mov [esi], ecx
  0x46,                                 // 10002: inc esi
  0x41,                                 // 10003: inc ecx
  0xF6, 0xC1, 0x03,                     // 10004: test cl, 3
  0x75, 0xF7,                           // 10007: jne loop
  0xEB, 0xF5,                           // 10009: jmp loop
];
