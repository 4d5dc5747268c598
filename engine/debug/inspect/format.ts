// Number formatting shared by the inspection views: fixed-width hex, bit-name lists, address parsing.

/** "0x0010abcd" (8 digits by default). */
export function hex(value: number, digits = 8): string {
  return '0x' + (value >>> 0).toString(16).padStart(digits, '0');
}

/** "0x1f" (no padding). */
export function shortHex(value: number): string {
  return '0x' + (value >>> 0).toString(16);
}

/** Names of the set bits of value, in table order: [[bit, name], …] → "PE ET PG". */
export function bitNames(value: number, table: ReadonlyArray<readonly [number, string]>): string[] {
  return table.filter(([bit]) => (value & bit) !== 0).map(([, name]) => name);
}

/** "0x80000011 [PE ET PG]". */
export function hexWithBits(value: number, table: ReadonlyArray<readonly [number, string]>, extra: string[] = []): string {
  return `${hex(value)} [${[...bitNames(value, table), ...extra].join(' ')}]`;
}

/**
 * Parses an unsigned 32-bit number typed by a person: 0x1f, 1fh, 0b101, 0o17, decimal, or a negative
 * decimal (two's complement). Returns undefined for anything else (including values above 0xffffffff).
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(t)) value = parseInt(t.slice(2), 16);
  else if (/^[0-9a-f]+h$/i.test(t)) value = parseInt(t.slice(0, -1), 16);
  else if (/^0b[01]+$/i.test(t)) value = parseInt(t.slice(2), 2);
  else if (/^0o[0-7]+$/i.test(t)) value = parseInt(t.slice(2), 8);
  else if (/^[0-9]+$/.test(t)) value = parseInt(t, 10);
  else if (/^-[0-9]+$/.test(t)) {
    value = parseInt(t, 10);
    return value >= -0x80000000 ? value >>> 0 : undefined;
  } else return undefined;
  return value <= 0xFFFFFFFF ? value : undefined;
}
