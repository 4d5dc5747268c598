// The x87 rows of the instruction table (merged into ISA and OPCODE_SLOTS by index.ts): every
// floating-point instruction of the P6 (FISTTP is SSE3 and absent), plus FXSAVE/FXRSTOR in the 0F map.
// Columns as in table.ts. Opcode 'D9/4r0' = register form (mod 3) with ModRM.reg 4 and ModRM.rm 0
// (D9 E0); 'D8/0r' covers every rm (ST(i) = rm). Operand kinds: ST = ST(0), STi = ST(rm), AX;
// memory Mfs/Mfd/Mft = m32/m64/m80 real, Mwi/Mdi/Mqi = m16/m32/m64 integer, Mtb = m80 packed BCD,
// Mw = 2-byte control/status word, Me = 14/28-byte environment, Mst = 94/108-byte FSAVE image,
// Mfx = 512-byte FXSAVE image. Rows marked 'alias' are the undocumented encodings a P6 executes.

export const X87_TABLE = `
D8/0m     fadd         ST,Mfs     farith   x87     -      -       -      i
D8/1m     fmul         ST,Mfs     farith   x87     -      -       -      i
D8/2m     fcom         Mfs        fcom     x87     -      -       -      i
D8/3m     fcomp        Mfs        fcom     x87     -      -       -      i
D8/4m     fsub         ST,Mfs     farith   x87     -      -       -      i
D8/5m     fsubr        ST,Mfs     farith   x87     -      -       -      i
D8/6m     fdiv         ST,Mfs     farith   x87     -      -       -      i
D8/7m     fdivr        ST,Mfs     farith   x87     -      -       -      i
D8/0r     fadd         ST,STi     farith   x87     -      -       -      i
D8/1r     fmul         ST,STi     farith   x87     -      -       -      i
D8/2r     fcom         STi        fcom     x87     -      -       -      i
D8/3r     fcomp        STi        fcom     x87     -      -       -      i
D8/4r     fsub         ST,STi     farith   x87     -      -       -      i
D8/5r     fsubr        ST,STi     farith   x87     -      -       -      i
D8/6r     fdiv         ST,STi     farith   x87     -      -       -      i
D8/7r     fdivr        ST,STi     farith   x87     -      -       -      i
D9/0m     fld          Mfs        fld      x87     -      -       -      i
D9/2m     fst          Mfs        fst      x87     -      -       -      i
D9/3m     fstp         Mfs        fst      x87     -      -       -      i
D9/4m     fldenv       Me         fldenv   x87     -      -       -      i
D9/5m     fldcw        Mw         fldcw    x87     -      -       -      i
D9/6m     fnstenv      Me         fnstenv  x87     -      -       -      i
D9/7m     fnstcw       Mw         fnstcw   x87     -      -       -      i
D9/0r     fld          STi        fld      x87     -      -       -      i
D9/1r     fxch         STi        fxch     x87     -      -       -      i
D9/2r0    fnop         -          fnop     x87     -      -       -      i
D9/3r     fstp         STi        fst      x87     -      -       -      i
D9/4r0    fchs         -          fsign    x87     -      -       -      i
D9/4r1    fabs         -          fsign    x87     -      -       -      i
D9/4r4    ftst         -          ftst     x87     -      -       -      i
D9/4r5    fxam         -          fxam     x87     -      -       -      i
D9/5r0    fld1         -          fconst   x87     -      -       -      i
D9/5r1    fldl2t       -          fconst   x87     -      -       -      i
D9/5r2    fldl2e       -          fconst   x87     -      -       -      i
D9/5r3    fldpi        -          fconst   x87     -      -       -      i
D9/5r4    fldlg2       -          fconst   x87     -      -       -      i
D9/5r5    fldln2       -          fconst   x87     -      -       -      i
D9/5r6    fldz         -          fconst   x87     -      -       -      i
D9/6r0    f2xm1        -          f2xm1    x87     -      -       -      i
D9/6r1    fyl2x        -          fyl2x    x87     -      -       -      i
D9/6r2    fptan        -          fptan    x87     -      -       -      i
D9/6r3    fpatan       -          fpatan   x87     -      -       -      i
D9/6r4    fxtract      -          fxtract  x87     -      -       -      i
D9/6r5    fprem1       -          fprem1   x87     -      -       -      i
D9/6r6    fdecstp      -          fstackptr x87    -      -       -      i
D9/6r7    fincstp      -          fstackptr x87    -      -       -      i
D9/7r0    fprem        -          fprem    x87     -      -       -      i
D9/7r1    fyl2xp1      -          fyl2xp1  x87     -      -       -      i
D9/7r2    fsqrt        -          fsqrt    x87     -      -       -      i
D9/7r3    fsincos      -          fsincos  x87     -      -       -      i
D9/7r4    frndint      -          frndint  x87     -      -       -      i
D9/7r5    fscale       -          fscale   x87     -      -       -      i
D9/7r6    fsin         -          fsin     x87     -      -       -      i
D9/7r7    fcos         -          fcos     x87     -      -       -      i
DA/0m     fiadd        ST,Mdi     farith   x87     -      -       -      i
DA/1m     fimul        ST,Mdi     farith   x87     -      -       -      i
DA/2m     ficom        Mdi        fcom     x87     -      -       -      i
DA/3m     ficomp       Mdi        fcom     x87     -      -       -      i
DA/4m     fisub        ST,Mdi     farith   x87     -      -       -      i
DA/5m     fisubr       ST,Mdi     farith   x87     -      -       -      i
DA/6m     fidiv        ST,Mdi     farith   x87     -      -       -      i
DA/7m     fidivr       ST,Mdi     farith   x87     -      -       -      i
DA/0r     fcmovb       ST,STi     fcmov    x87     c      -       -      i
DA/1r     fcmove       ST,STi     fcmov    x87     z      -       -      i
DA/2r     fcmovbe      ST,STi     fcmov    x87     zc     -       -      i
DA/3r     fcmovu       ST,STi     fcmov    x87     p      -       -      i
DA/5r1    fucompp      -          fcom     x87     -      -       -      i
DB/0m     fild         Mdi        fild     x87     -      -       -      i
DB/2m     fist         Mdi        fist     x87     -      -       -      i
DB/3m     fistp        Mdi        fist     x87     -      -       -      i
DB/5m     fld          Mft        fld      x87     -      -       -      i
DB/7m     fstp         Mft        fst      x87     -      -       -      i
DB/0r     fcmovnb      ST,STi     fcmov    x87     c      -       -      i
DB/1r     fcmovne      ST,STi     fcmov    x87     z      -       -      i
DB/2r     fcmovnbe     ST,STi     fcmov    x87     zc     -       -      i
DB/3r     fcmovnu      ST,STi     fcmov    x87     p      -       -      i
DB/4r0    fneni        -          fnlegacy x87     -      -       -      i
DB/4r1    fndisi       -          fnlegacy x87     -      -       -      i
DB/4r2    fnclex       -          fnclex   x87     -      -       -      i
DB/4r3    fninit       -          fninit   x87     -      -       -      i
DB/4r4    fnsetpm      -          fnlegacy x87     -      -       -      i
DB/5r     fucomi       ST,STi     fcomi    x87     -      oszapc  -      i
DB/6r     fcomi        ST,STi     fcomi    x87     -      oszapc  -      i
DC/0m     fadd         ST,Mfd     farith   x87     -      -       -      i
DC/1m     fmul         ST,Mfd     farith   x87     -      -       -      i
DC/2m     fcom         Mfd        fcom     x87     -      -       -      i
DC/3m     fcomp        Mfd        fcom     x87     -      -       -      i
DC/4m     fsub         ST,Mfd     farith   x87     -      -       -      i
DC/5m     fsubr        ST,Mfd     farith   x87     -      -       -      i
DC/6m     fdiv         ST,Mfd     farith   x87     -      -       -      i
DC/7m     fdivr        ST,Mfd     farith   x87     -      -       -      i
DC/0r     fadd         STi,ST     farith   x87     -      -       -      i
DC/1r     fmul         STi,ST     farith   x87     -      -       -      i
DC/2r     fcom         STi        fcom     x87     -      -       -      i
DC/3r     fcomp        STi        fcom     x87     -      -       -      i
DC/4r     fsubr        STi,ST     farith   x87     -      -       -      i
DC/5r     fsub         STi,ST     farith   x87     -      -       -      i
DC/6r     fdivr        STi,ST     farith   x87     -      -       -      i
DC/7r     fdiv         STi,ST     farith   x87     -      -       -      i
DD/0m     fld          Mfd        fld      x87     -      -       -      i
DD/2m     fst          Mfd        fst      x87     -      -       -      i
DD/3m     fstp         Mfd        fst      x87     -      -       -      i
DD/4m     frstor       Mst        frstor   x87     -      -       -      i
DD/6m     fnsave       Mst        fnsave   x87     -      -       -      i
DD/7m     fnstsw       Mw         fnstsw   x87     -      -       -      i
DD/0r     ffree        STi        ffree    x87     -      -       -      i
DD/1r     fxch         STi        fxch     x87     -      -       -      i
DD/2r     fst          STi        fst      x87     -      -       -      i
DD/3r     fstp         STi        fst      x87     -      -       -      i
DD/4r     fucom        STi        fcom     x87     -      -       -      i
DD/5r     fucomp       STi        fcom     x87     -      -       -      i
DE/0m     fiadd        ST,Mwi     farith   x87     -      -       -      i
DE/1m     fimul        ST,Mwi     farith   x87     -      -       -      i
DE/2m     ficom        Mwi        fcom     x87     -      -       -      i
DE/3m     ficomp       Mwi        fcom     x87     -      -       -      i
DE/4m     fisub        ST,Mwi     farith   x87     -      -       -      i
DE/5m     fisubr       ST,Mwi     farith   x87     -      -       -      i
DE/6m     fidiv        ST,Mwi     farith   x87     -      -       -      i
DE/7m     fidivr       ST,Mwi     farith   x87     -      -       -      i
DE/0r     faddp        STi,ST     farith   x87     -      -       -      i
DE/1r     fmulp        STi,ST     farith   x87     -      -       -      i
DE/2r     fcomp        STi        fcom     x87     -      -       -      i
DE/3r1    fcompp       -          fcom     x87     -      -       -      i
DE/4r     fsubrp       STi,ST     farith   x87     -      -       -      i
DE/5r     fsubp        STi,ST     farith   x87     -      -       -      i
DE/6r     fdivrp       STi,ST     farith   x87     -      -       -      i
DE/7r     fdivp        STi,ST     farith   x87     -      -       -      i
DF/0m     fild         Mwi        fild     x87     -      -       -      i
DF/2m     fist         Mwi        fist     x87     -      -       -      i
DF/3m     fistp        Mwi        fist     x87     -      -       -      i
DF/4m     fbld         Mtb        fbld     x87     -      -       -      i
DF/5m     fild         Mqi        fild     x87     -      -       -      i
DF/6m     fbstp        Mtb        fbstp    x87     -      -       -      i
DF/7m     fistp        Mqi        fist     x87     -      -       -      i
DF/0r     ffreep       STi        ffree    x87     -      -       -      i
DF/1r     fxch         STi        fxch     x87     -      -       -      i
DF/2r     fstp         STi        fst      x87     -      -       -      i
DF/3r     fstp         STi        fst      x87     -      -       -      i
DF/4r0    fnstsw       AX         fnstsw   x87     -      -       -      i
DF/5r     fucomip      ST,STi     fcomi    x87     -      oszapc  -      i
DF/6r     fcomip       ST,STi     fcomi    x87     -      oszapc  -      i
0F AE/0m  fxsave       Mfx        fxsave   x87     -      -       -      i
0F AE/1m  fxrstor      Mfx        fxrstor  x87     -      -       -      i
`;

/** Register-form rows a P6 executes but the SDM does not list (aliases, FFREEP), as opcode/reg. */
export const X87_UNDOCUMENTED: ReadonlySet<string> = new Set(['D9/3', 'DC/2', 'DC/3', 'DD/1', 'DE/2', 'DF/0', 'DF/1', 'DF/2', 'DF/3']);
