// THE instruction table: every integer instruction of the modelled P6-class CPU, one row each.
// The decoder, the disassembler, the interpreter's dispatch and the hypervisor's sensitivity checks
// all derive from these rows. Columns: opcode (hex; 0F xx = two-byte map; /n = ModRM.reg; m/r =
// memory/register form only; a leading F3 = mandatory prefix), mnemonic ('16-bit|32-bit' spelling),
// operands, handler, family, flags read / written / undefined ('-' = none), class (i innocuous,
// p privileged, s sensitive-unprivileged).

export const ISA_TABLE = `
00        add          Eb,Gb      add      alu     -      oszapc  -      i
01        add          Ev,Gv      add      alu     -      oszapc  -      i
02        add          Gb,Eb      add      alu     -      oszapc  -      i
03        add          Gv,Ev      add      alu     -      oszapc  -      i
04        add          AL,Ib      add      alu     -      oszapc  -      i
05        add          eAX,Iz     add      alu     -      oszapc  -      i
06        push         ES         push     stack   -      -       -      s
07        pop          ES         pop      stack   -      -       -      s
08        or           Eb,Gb      or       alu     -      oszapc  a      i
09        or           Ev,Gv      or       alu     -      oszapc  a      i
0A        or           Gb,Eb      or       alu     -      oszapc  a      i
0B        or           Gv,Ev      or       alu     -      oszapc  a      i
0C        or           AL,Ib      or       alu     -      oszapc  a      i
0D        or           eAX,Iz     or       alu     -      oszapc  a      i
0E        push         CS         push     stack   -      -       -      s
10        adc          Eb,Gb      adc      alu     c      oszapc  -      i
11        adc          Ev,Gv      adc      alu     c      oszapc  -      i
12        adc          Gb,Eb      adc      alu     c      oszapc  -      i
13        adc          Gv,Ev      adc      alu     c      oszapc  -      i
14        adc          AL,Ib      adc      alu     c      oszapc  -      i
15        adc          eAX,Iz     adc      alu     c      oszapc  -      i
16        push         SS         push     stack   -      -       -      s
17        pop          SS         pop      stack   -      -       -      s
18        sbb          Eb,Gb      sbb      alu     c      oszapc  -      i
19        sbb          Ev,Gv      sbb      alu     c      oszapc  -      i
1A        sbb          Gb,Eb      sbb      alu     c      oszapc  -      i
1B        sbb          Gv,Ev      sbb      alu     c      oszapc  -      i
1C        sbb          AL,Ib      sbb      alu     c      oszapc  -      i
1D        sbb          eAX,Iz     sbb      alu     c      oszapc  -      i
1E        push         DS         push     stack   -      -       -      s
1F        pop          DS         pop      stack   -      -       -      s
20        and          Eb,Gb      and      alu     -      oszapc  a      i
21        and          Ev,Gv      and      alu     -      oszapc  a      i
22        and          Gb,Eb      and      alu     -      oszapc  a      i
23        and          Gv,Ev      and      alu     -      oszapc  a      i
24        and          AL,Ib      and      alu     -      oszapc  a      i
25        and          eAX,Iz     and      alu     -      oszapc  a      i
27        daa          -          daa      bcd     ac     oszapc  o      i
28        sub          Eb,Gb      sub      alu     -      oszapc  -      i
29        sub          Ev,Gv      sub      alu     -      oszapc  -      i
2A        sub          Gb,Eb      sub      alu     -      oszapc  -      i
2B        sub          Gv,Ev      sub      alu     -      oszapc  -      i
2C        sub          AL,Ib      sub      alu     -      oszapc  -      i
2D        sub          eAX,Iz     sub      alu     -      oszapc  -      i
2F        das          -          das      bcd     ac     oszapc  o      i
30        xor          Eb,Gb      xor      alu     -      oszapc  a      i
31        xor          Ev,Gv      xor      alu     -      oszapc  a      i
32        xor          Gb,Eb      xor      alu     -      oszapc  a      i
33        xor          Gv,Ev      xor      alu     -      oszapc  a      i
34        xor          AL,Ib      xor      alu     -      oszapc  a      i
35        xor          eAX,Iz     xor      alu     -      oszapc  a      i
37        aaa          -          aaa      bcd     a      oszapc  oszp   i
38        cmp          Eb,Gb      cmp      alu     -      oszapc  -      i
39        cmp          Ev,Gv      cmp      alu     -      oszapc  -      i
3A        cmp          Gb,Eb      cmp      alu     -      oszapc  -      i
3B        cmp          Gv,Ev      cmp      alu     -      oszapc  -      i
3C        cmp          AL,Ib      cmp      alu     -      oszapc  -      i
3D        cmp          eAX,Iz     cmp      alu     -      oszapc  -      i
3F        aas          -          aas      bcd     a      oszapc  oszp   i
40+       inc          Zv         inc      alu     -      oszap   -      i
48+       dec          Zv         dec      alu     -      oszap   -      i
50+       push         Zv         push     stack   -      -       -      i
58+       pop          Zv         pop      stack   -      -       -      i
60        pusha|pushad -          pusha    stack   -      -       -      i
61        popa|popad   -          popa     stack   -      -       -      i
62/m      bound        Gv,Ma      bound    control -      -       -      i
63        arpl         Ew,Gw      arpl     segment -      z       -      s
68        push         Iz         push     stack   -      -       -      i
69        imul         Gv,Ev,Iz   imul3    muldiv  -      oszapc  szap   i
6A        push         Ibs        push     stack   -      -       -      i
6B        imul         Gv,Ev,Ibs  imul3    muldiv  -      oszapc  szap   i
6C        insb         Yb,DX      ins      io      d      -       -      p
6D        insw|insd    Yv,DX      ins      io      d      -       -      p
6E        outsb        DX,Xb      outs     io      d      -       -      p
6F        outsw|outsd  DX,Xv      outs     io      d      -       -      p
70        jo           Jb         jcc      control o      -       -      i
71        jno          Jb         jcc      control o      -       -      i
72        jb           Jb         jcc      control c      -       -      i
73        jae          Jb         jcc      control c      -       -      i
74        je           Jb         jcc      control z      -       -      i
75        jne          Jb         jcc      control z      -       -      i
76        jbe          Jb         jcc      control zc     -       -      i
77        ja           Jb         jcc      control zc     -       -      i
78        js           Jb         jcc      control s      -       -      i
79        jns          Jb         jcc      control s      -       -      i
7A        jp           Jb         jcc      control p      -       -      i
7B        jnp          Jb         jcc      control p      -       -      i
7C        jl           Jb         jcc      control so     -       -      i
7D        jge          Jb         jcc      control so     -       -      i
7E        jle          Jb         jcc      control zso    -       -      i
7F        jg           Jb         jcc      control zso    -       -      i
80/0      add          Eb,Ib      add      alu     -      oszapc  -      i
80/1      or           Eb,Ib      or       alu     -      oszapc  a      i
80/2      adc          Eb,Ib      adc      alu     c      oszapc  -      i
80/3      sbb          Eb,Ib      sbb      alu     c      oszapc  -      i
80/4      and          Eb,Ib      and      alu     -      oszapc  a      i
80/5      sub          Eb,Ib      sub      alu     -      oszapc  -      i
80/6      xor          Eb,Ib      xor      alu     -      oszapc  a      i
80/7      cmp          Eb,Ib      cmp      alu     -      oszapc  -      i
81/0      add          Ev,Iz      add      alu     -      oszapc  -      i
81/1      or           Ev,Iz      or       alu     -      oszapc  a      i
81/2      adc          Ev,Iz      adc      alu     c      oszapc  -      i
81/3      sbb          Ev,Iz      sbb      alu     c      oszapc  -      i
81/4      and          Ev,Iz      and      alu     -      oszapc  a      i
81/5      sub          Ev,Iz      sub      alu     -      oszapc  -      i
81/6      xor          Ev,Iz      xor      alu     -      oszapc  a      i
81/7      cmp          Ev,Iz      cmp      alu     -      oszapc  -      i
82/0      add          Eb,Ib      add      alu     -      oszapc  -      i
82/1      or           Eb,Ib      or       alu     -      oszapc  a      i
82/2      adc          Eb,Ib      adc      alu     c      oszapc  -      i
82/3      sbb          Eb,Ib      sbb      alu     c      oszapc  -      i
82/4      and          Eb,Ib      and      alu     -      oszapc  a      i
82/5      sub          Eb,Ib      sub      alu     -      oszapc  -      i
82/6      xor          Eb,Ib      xor      alu     -      oszapc  a      i
82/7      cmp          Eb,Ib      cmp      alu     -      oszapc  -      i
83/0      add          Ev,Ibs     add      alu     -      oszapc  -      i
83/1      or           Ev,Ibs     or       alu     -      oszapc  a      i
83/2      adc          Ev,Ibs     adc      alu     c      oszapc  -      i
83/3      sbb          Ev,Ibs     sbb      alu     c      oszapc  -      i
83/4      and          Ev,Ibs     and      alu     -      oszapc  a      i
83/5      sub          Ev,Ibs     sub      alu     -      oszapc  -      i
83/6      xor          Ev,Ibs     xor      alu     -      oszapc  a      i
83/7      cmp          Ev,Ibs     cmp      alu     -      oszapc  -      i
84        test         Eb,Gb      test     alu     -      oszapc  a      i
85        test         Ev,Gv      test     alu     -      oszapc  a      i
86        xchg         Eb,Gb      xchg     data    -      -       -      i
87        xchg         Ev,Gv      xchg     data    -      -       -      i
88        mov          Eb,Gb      mov      data    -      -       -      i
89        mov          Ev,Gv      mov      data    -      -       -      i
8A        mov          Gb,Eb      mov      data    -      -       -      i
8B        mov          Gv,Ev      mov      data    -      -       -      i
8C        mov          Ev,Sw      movsr    segment -      -       -      s
8D/m      lea          Gv,M       lea      data    -      -       -      i
8E        mov          Sw,Ew      movsr    segment -      -       -      s
8F/0      pop          Ev         pop      stack   -      -       -      i
90        nop          -          nop      misc    -      -       -      i
F3 90     pause        -          pause    misc    -      -       -      i
91+7      xchg         Zv,eAX     xchg     data    -      -       -      i
98        cbw|cwde     -          cbw      data    -      -       -      i
99        cwd|cdq      -          cwd      data    -      -       -      i
9A        call         Ap         callf    control -      -       -      s
9B        wait         -          fwait    x87     -      -       -      i
9C        pushf|pushfd -          pushf    flag    oszapcdi -     -      s
9D        popf|popfd   -          popf     flag    -      oszapcdi -      s
9E        sahf         -          sahf     flag    -      szapc   -      i
9F        lahf         -          lahf     flag    szapc  -       -      i
A0        mov          AL,Ob      mov      data    -      -       -      i
A1        mov          eAX,Ov     mov      data    -      -       -      i
A2        mov          Ob,AL      mov      data    -      -       -      i
A3        mov          Ov,eAX     mov      data    -      -       -      i
A4        movsb        Yb,Xb      movs     string  d      -       -      i
A5        movsw|movsd  Yv,Xv      movs     string  d      -       -      i
A6        cmpsb        Xb,Yb      cmps     string  d      oszapc  -      i
A7        cmpsw|cmpsd  Xv,Yv      cmps     string  d      oszapc  -      i
A8        test         AL,Ib      test     alu     -      oszapc  a      i
A9        test         eAX,Iz     test     alu     -      oszapc  a      i
AA        stosb        Yb,AL      stos     string  d      -       -      i
AB        stosw|stosd  Yv,eAX     stos     string  d      -       -      i
AC        lodsb        AL,Xb      lods     string  d      -       -      i
AD        lodsw|lodsd  eAX,Xv     lods     string  d      -       -      i
AE        scasb        AL,Yb      scas     string  d      oszapc  -      i
AF        scasw|scasd  eAX,Yv     scas     string  d      oszapc  -      i
B0+       mov          Zb,Ib      mov      data    -      -       -      i
B8+       mov          Zv,Iv      mov      data    -      -       -      i
C0/0      rol          Eb,Ib      rol      shift   -      oc      o      i
C0/1      ror          Eb,Ib      ror      shift   -      oc      o      i
C0/2      rcl          Eb,Ib      rcl      shift   c      oc      o      i
C0/3      rcr          Eb,Ib      rcr      shift   c      oc      o      i
C0/4      shl          Eb,Ib      shl      shift   -      oszapc  oa     i
C0/5      shr          Eb,Ib      shr      shift   -      oszapc  oa     i
C0/6      shl          Eb,Ib      shl      shift   -      oszapc  oa     i
C0/7      sar          Eb,Ib      sar      shift   -      oszapc  oa     i
C1/0      rol          Ev,Ib      rol      shift   -      oc      o      i
C1/1      ror          Ev,Ib      ror      shift   -      oc      o      i
C1/2      rcl          Ev,Ib      rcl      shift   c      oc      o      i
C1/3      rcr          Ev,Ib      rcr      shift   c      oc      o      i
C1/4      shl          Ev,Ib      shl      shift   -      oszapc  oa     i
C1/5      shr          Ev,Ib      shr      shift   -      oszapc  oa     i
C1/6      shl          Ev,Ib      shl      shift   -      oszapc  oa     i
C1/7      sar          Ev,Ib      sar      shift   -      oszapc  oa     i
C2        ret          Iw         ret      control -      -       -      i
C3        ret          -          ret      control -      -       -      i
C4/m      les          Gv,Mp      lseg     segment -      -       -      s
C5/m      lds          Gv,Mp      lseg     segment -      -       -      s
C6/0      mov          Eb,Ib      mov      data    -      -       -      i
C7/0      mov          Ev,Iz      mov      data    -      -       -      i
C8        enter        Iw,Ib      enter    stack   -      -       -      i
C9        leave        -          leave    stack   -      -       -      i
CA        retf         Iw         retf     control -      -       -      s
CB        retf         -          retf     control -      -       -      s
CC        int3         -          int3     control -      -       -      i
CD        int          Ib         int      control -      -       -      i
CE        into         -          into     control o      -       -      i
CF        iret|iretd   -          iret     control -      oszapcdi -      s
D0/0      rol          Eb,1       rol      shift   -      oc      -      i
D0/1      ror          Eb,1       ror      shift   -      oc      -      i
D0/2      rcl          Eb,1       rcl      shift   c      oc      -      i
D0/3      rcr          Eb,1       rcr      shift   c      oc      -      i
D0/4      shl          Eb,1       shl      shift   -      oszapc  a      i
D0/5      shr          Eb,1       shr      shift   -      oszapc  a      i
D0/6      shl          Eb,1       shl      shift   -      oszapc  a      i
D0/7      sar          Eb,1       sar      shift   -      oszapc  a      i
D1/0      rol          Ev,1       rol      shift   -      oc      -      i
D1/1      ror          Ev,1       ror      shift   -      oc      -      i
D1/2      rcl          Ev,1       rcl      shift   c      oc      -      i
D1/3      rcr          Ev,1       rcr      shift   c      oc      -      i
D1/4      shl          Ev,1       shl      shift   -      oszapc  a      i
D1/5      shr          Ev,1       shr      shift   -      oszapc  a      i
D1/6      shl          Ev,1       shl      shift   -      oszapc  a      i
D1/7      sar          Ev,1       sar      shift   -      oszapc  a      i
D2/0      rol          Eb,CL      rol      shift   -      oc      o      i
D2/1      ror          Eb,CL      ror      shift   -      oc      o      i
D2/2      rcl          Eb,CL      rcl      shift   c      oc      o      i
D2/3      rcr          Eb,CL      rcr      shift   c      oc      o      i
D2/4      shl          Eb,CL      shl      shift   -      oszapc  oa     i
D2/5      shr          Eb,CL      shr      shift   -      oszapc  oa     i
D2/6      shl          Eb,CL      shl      shift   -      oszapc  oa     i
D2/7      sar          Eb,CL      sar      shift   -      oszapc  oa     i
D3/0      rol          Ev,CL      rol      shift   -      oc      o      i
D3/1      ror          Ev,CL      ror      shift   -      oc      o      i
D3/2      rcl          Ev,CL      rcl      shift   c      oc      o      i
D3/3      rcr          Ev,CL      rcr      shift   c      oc      o      i
D3/4      shl          Ev,CL      shl      shift   -      oszapc  oa     i
D3/5      shr          Ev,CL      shr      shift   -      oszapc  oa     i
D3/6      shl          Ev,CL      shl      shift   -      oszapc  oa     i
D3/7      sar          Ev,CL      sar      shift   -      oszapc  oa     i
D4        aam          Ib         aam      bcd     -      oszapc  oac    i
D5        aad          Ib         aad      bcd     -      oszapc  oac    i
D6        salc         -          salc     bcd     c      -       -      i
D7        xlatb        -          xlat     data    -      -       -      i
E0        loopne       Jb         loop     control z      -       -      i
E1        loope        Jb         loop     control z      -       -      i
E2        loop         Jb         loop     control -      -       -      i
E3        jcxz|jecxz   Jb         jcxz     control -      -       -      i
E4        in           AL,Ib      in       io      -      -       -      p
E5        in           eAX,Ib     in       io      -      -       -      p
E6        out          Ib,AL      out      io      -      -       -      p
E7        out          Ib,eAX     out      io      -      -       -      p
E8        call         Jz         call     control -      -       -      i
E9        jmp          Jz         jmp      control -      -       -      i
EA        jmp          Ap         jmpf     control -      -       -      s
EB        jmp          Jb         jmp      control -      -       -      i
EC        in           AL,DX      in       io      -      -       -      p
ED        in           eAX,DX     in       io      -      -       -      p
EE        out          DX,AL      out      io      -      -       -      p
EF        out          DX,eAX     out      io      -      -       -      p
F1        int1         -          int1     control -      -       -      i
F4        hlt          -          hlt      system  -      -       -      p
F5        cmc          -          cmc      flag    c      c       -      i
F6/0      test         Eb,Ib      test     alu     -      oszapc  a      i
F6/1      test         Eb,Ib      test     alu     -      oszapc  a      i
F6/2      not          Eb         not      alu     -      -       -      i
F6/3      neg          Eb         neg      alu     -      oszapc  -      i
F6/4      mul          Eb         mul      muldiv  -      oszapc  szap   i
F6/5      imul         Eb         imul1    muldiv  -      oszapc  szap   i
F6/6      div          Eb         div      muldiv  -      oszapc  oszapc i
F6/7      idiv         Eb         idiv     muldiv  -      oszapc  oszapc i
F7/0      test         Ev,Iz      test     alu     -      oszapc  a      i
F7/1      test         Ev,Iz      test     alu     -      oszapc  a      i
F7/2      not          Ev         not      alu     -      -       -      i
F7/3      neg          Ev         neg      alu     -      oszapc  -      i
F7/4      mul          Ev         mul      muldiv  -      oszapc  szap   i
F7/5      imul         Ev         imul1    muldiv  -      oszapc  szap   i
F7/6      div          Ev         div      muldiv  -      oszapc  oszapc i
F7/7      idiv         Ev         idiv     muldiv  -      oszapc  oszapc i
F8        clc          -          clc      flag    -      c       -      i
F9        stc          -          stc      flag    -      c       -      i
FA        cli          -          cli      flag    -      i       -      p
FB        sti          -          sti      flag    -      i       -      p
FC        cld          -          cld      flag    -      d       -      i
FD        std          -          std      flag    -      d       -      i
FE/0      inc          Eb         inc      alu     -      oszap   -      i
FE/1      dec          Eb         dec      alu     -      oszap   -      i
FF/0      inc          Ev         inc      alu     -      oszap   -      i
FF/1      dec          Ev         dec      alu     -      oszap   -      i
FF/2      call         Ev         call     control -      -       -      i
FF/3m     call         Mp         callf    control -      -       -      s
FF/4      jmp          Ev         jmp      control -      -       -      i
FF/5m     jmp          Mp         jmpf     control -      -       -      s
FF/6      push         Ev         push     stack   -      -       -      i
0F 00/0m  sldt         Mw         sldt     system  -      -       -      s
0F 00/0r  sldt         Ev         sldt     system  -      -       -      s
0F 00/1m  str          Mw         str      system  -      -       -      s
0F 00/1r  str          Ev         str      system  -      -       -      s
0F 00/2   lldt         Ew         lldt     system  -      -       -      p
0F 00/3   ltr          Ew         ltr      system  -      -       -      p
0F 00/4   verr         Ew         verr     system  -      z       -      s
0F 00/5   verw         Ew         verw     system  -      z       -      s
0F 01/0m  sgdt         Ms         sgdt     system  -      -       -      s
0F 01/0r1 vmcall       -          vmcall   system  -      -       -      s
0F 01/1m  sidt         Ms         sidt     system  -      -       -      s
0F 01/2m  lgdt         Ms         lgdt     system  -      -       -      p
0F 01/3m  lidt         Ms         lidt     system  -      -       -      p
0F 01/4m  smsw         Mw         smsw     system  -      -       -      s
0F 01/4r  smsw         Ev         smsw     system  -      -       -      s
0F 01/6   lmsw         Ew         lmsw     system  -      -       -      p
0F 01/7m  invlpg       M          invlpg   system  -      -       -      p
0F 02/m   lar          Gv,Mw      lar      system  -      z       -      s
0F 02/r   lar          Gv,Ev      lar      system  -      z       -      s
0F 03/m   lsl          Gv,Mw      lsl      system  -      z       -      s
0F 03/r   lsl          Gv,Ev      lsl      system  -      z       -      s
0F 06     clts         -          clts     system  -      -       -      p
0F 08     invd         -          invd     system  -      -       -      p
0F 09     wbinvd       -          wbinvd   system  -      -       -      p
0F 0B     ud2          -          ud2      misc    -      -       -      i
0F 1F/0   nop          Ev         nop      misc    -      -       -      i
0F 20     mov          Rd,Cd      movcr    system  -      -       oszapc p
0F 21     mov          Rd,Dd      movdr    system  -      -       oszapc p
0F 22     mov          Cd,Rd      movcr    system  -      -       oszapc p
0F 23     mov          Dd,Rd      movdr    system  -      -       oszapc p
0F 30     wrmsr        -          wrmsr    system  -      -       -      p
0F 31     rdtsc        -          rdtsc    system  -      -       -      s
0F 32     rdmsr        -          rdmsr    system  -      -       -      p
0F 33     rdpmc        -          rdpmc    system  -      -       -      s
0F 34     sysenter     -          sysenter system  -      i       -      i
0F 35     sysexit      -          sysexit  system  -      -       -      p
0F 40     cmovo        Gv,Ev      cmovcc   data    o      -       -      i
0F 41     cmovno       Gv,Ev      cmovcc   data    o      -       -      i
0F 42     cmovb        Gv,Ev      cmovcc   data    c      -       -      i
0F 43     cmovae       Gv,Ev      cmovcc   data    c      -       -      i
0F 44     cmove        Gv,Ev      cmovcc   data    z      -       -      i
0F 45     cmovne       Gv,Ev      cmovcc   data    z      -       -      i
0F 46     cmovbe       Gv,Ev      cmovcc   data    zc     -       -      i
0F 47     cmova        Gv,Ev      cmovcc   data    zc     -       -      i
0F 48     cmovs        Gv,Ev      cmovcc   data    s      -       -      i
0F 49     cmovns       Gv,Ev      cmovcc   data    s      -       -      i
0F 4A     cmovp        Gv,Ev      cmovcc   data    p      -       -      i
0F 4B     cmovnp       Gv,Ev      cmovcc   data    p      -       -      i
0F 4C     cmovl        Gv,Ev      cmovcc   data    so     -       -      i
0F 4D     cmovge       Gv,Ev      cmovcc   data    so     -       -      i
0F 4E     cmovle       Gv,Ev      cmovcc   data    zso    -       -      i
0F 4F     cmovg        Gv,Ev      cmovcc   data    zso    -       -      i
0F 80     jo           Jz         jcc      control o      -       -      i
0F 81     jno          Jz         jcc      control o      -       -      i
0F 82     jb           Jz         jcc      control c      -       -      i
0F 83     jae          Jz         jcc      control c      -       -      i
0F 84     je           Jz         jcc      control z      -       -      i
0F 85     jne          Jz         jcc      control z      -       -      i
0F 86     jbe          Jz         jcc      control zc     -       -      i
0F 87     ja           Jz         jcc      control zc     -       -      i
0F 88     js           Jz         jcc      control s      -       -      i
0F 89     jns          Jz         jcc      control s      -       -      i
0F 8A     jp           Jz         jcc      control p      -       -      i
0F 8B     jnp          Jz         jcc      control p      -       -      i
0F 8C     jl           Jz         jcc      control so     -       -      i
0F 8D     jge          Jz         jcc      control so     -       -      i
0F 8E     jle          Jz         jcc      control zso    -       -      i
0F 8F     jg           Jz         jcc      control zso    -       -      i
0F 90     seto         Eb         setcc    data    o      -       -      i
0F 91     setno        Eb         setcc    data    o      -       -      i
0F 92     setb         Eb         setcc    data    c      -       -      i
0F 93     setae        Eb         setcc    data    c      -       -      i
0F 94     sete         Eb         setcc    data    z      -       -      i
0F 95     setne        Eb         setcc    data    z      -       -      i
0F 96     setbe        Eb         setcc    data    zc     -       -      i
0F 97     seta         Eb         setcc    data    zc     -       -      i
0F 98     sets         Eb         setcc    data    s      -       -      i
0F 99     setns        Eb         setcc    data    s      -       -      i
0F 9A     setp         Eb         setcc    data    p      -       -      i
0F 9B     setnp        Eb         setcc    data    p      -       -      i
0F 9C     setl         Eb         setcc    data    so     -       -      i
0F 9D     setge        Eb         setcc    data    so     -       -      i
0F 9E     setle        Eb         setcc    data    zso    -       -      i
0F 9F     setg         Eb         setcc    data    zso    -       -      i
0F A0     push         FS         push     stack   -      -       -      s
0F A1     pop          FS         pop      stack   -      -       -      s
0F A2     cpuid        -          cpuid    system  -      -       -      s
0F A3     bt           Ev,Gv      bt       bit     -      c       osap   i
0F A4     shld         Ev,Gv,Ib   shld     shift   -      oszapc  oa     i
0F A5     shld         Ev,Gv,CL   shld     shift   -      oszapc  oa     i
0F A8     push         GS         push     stack   -      -       -      s
0F A9     pop          GS         pop      stack   -      -       -      s
0F AB     bts          Ev,Gv      bts      bit     -      c       osap   i
0F AC     shrd         Ev,Gv,Ib   shrd     shift   -      oszapc  oa     i
0F AD     shrd         Ev,Gv,CL   shrd     shift   -      oszapc  oa     i
0F AF     imul         Gv,Ev      imul2    muldiv  -      oszapc  szap   i
0F B0     cmpxchg      Eb,Gb      cmpxchg  data    -      oszapc  -      i
0F B1     cmpxchg      Ev,Gv      cmpxchg  data    -      oszapc  -      i
0F B2/m   lss          Gv,Mp      lseg     segment -      -       -      s
0F B3     btr          Ev,Gv      btr      bit     -      c       osap   i
0F B4/m   lfs          Gv,Mp      lseg     segment -      -       -      s
0F B5/m   lgs          Gv,Mp      lseg     segment -      -       -      s
0F B6     movzx        Gv,Eb      movzx    data    -      -       -      i
0F B7     movzx        Gv,Ew      movzx    data    -      -       -      i
0F BA/4   bt           Ev,Ib      bt       bit     -      c       osap   i
0F BA/5   bts          Ev,Ib      bts      bit     -      c       osap   i
0F BA/6   btr          Ev,Ib      btr      bit     -      c       osap   i
0F BA/7   btc          Ev,Ib      btc      bit     -      c       osap   i
0F BB     btc          Ev,Gv      btc      bit     -      c       osap   i
0F BC     bsf          Gv,Ev      bsf      bit     -      z       oscap  i
0F BD     bsr          Gv,Ev      bsr      bit     -      z       oscap  i
0F BE     movsx        Gv,Eb      movsx    data    -      -       -      i
0F BF     movsx        Gv,Ew      movsx    data    -      -       -      i
0F C0     xadd         Eb,Gb      xadd     data    -      oszapc  -      i
0F C1     xadd         Ev,Gv      xadd     data    -      oszapc  -      i
0F C7/1m  cmpxchg8b    Mq         cmpxchg8b data   -      z       -      i
0F C8+    bswap        Zv         bswap    data    -      -       -      i
`;

/** Prefix bytes (not instructions): operand size, address size, segment overrides, LOCK, REP/REPNE. */
export const PREFIX_BYTES = [0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3] as const;

/** Instructions that accept a LOCK prefix (with a memory destination); LOCK elsewhere is #UD. */
export const LOCKABLE = new Set(['add', 'adc', 'and', 'btc', 'btr', 'bts', 'cmpxchg', 'cmpxchg8b', 'dec', 'inc',
  'neg', 'not', 'or', 'sbb', 'sub', 'xor', 'xadd', 'xchg']);
