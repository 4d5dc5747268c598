// The syntax tree of a debugger expression, as the parser builds it and the evaluator walks it.

/** A type written in a cast or sizeof: a base name ("int", "struct point", "uint32_t") and pointer depth. */
export interface TypeSpec { name: string; pointers: number }

export type Expr =
  | { kind: 'number'; value: bigint; unsigned?: boolean }
  | { kind: 'float'; value: number }
  | { kind: 'string'; text: string }
  | { kind: 'name'; name: string }                                   // a register, variable, symbol or event field
  | { kind: 'unary'; op: '-' | '+' | '!' | '~' | '*' | '&'; operand: Expr }
  | { kind: 'space'; space: 'physical' | 'linear'; address: Expr }   // phys:ADDR / lin:ADDR (a uint32_t there)
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr }
  | { kind: 'cast'; type: TypeSpec; operand: Expr }
  | { kind: 'sizeof'; type?: TypeSpec; operand?: Expr }
  | { kind: 'index'; target: Expr; index: Expr }
  | { kind: 'member'; target: Expr; member: string; arrow: boolean };
