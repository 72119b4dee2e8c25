/**
 * Number parsing straight from ASCII bytes (no string per field). Each returns NaN when the
 * bytes are not exactly the expected form, which the loaders turn into a validation issue.
 */

/** Non-negative decimal integer ("0042" allowed); NaN otherwise. Surrounding spaces allowed. */
export function parseUintBytes(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === 32) start++;
  while (end > start && buf[end - 1] === 32) end--;
  if (start === end || end - start > 15) return Number.NaN;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Signed integer ("-12" allowed); NaN otherwise. */
export function parseIntBytes(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === 32) start++;
  if (start < end && buf[start] === 45) {
    const v = parseUintBytes(buf, start + 1, end);
    return v === 0 ? 0 : -v;
  }
  return parseUintBytes(buf, start, end);
}

/** Plain decimal like "4", "4.0", "3.5", ".5"; NaN otherwise (no exponent, no sign). */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === 32) start++;
  while (end > start && buf[end - 1] === 32) end--;
  if (start === end || end - start > 20) return Number.NaN;
  let intPart = 0;
  let i = start;
  let digits = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    intPart = intPart * 10 + d;
    digits++;
  }
  if (i === end) return digits > 0 ? intPart : Number.NaN;
  if (buf[i] !== 46) return Number.NaN;
  i++;
  let frac = 0;
  let scale = 1;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return Number.NaN;
    frac = frac * 10 + d;
    scale *= 10;
    digits++;
  }
  if (digits === 0) return Number.NaN;
  return intPart + frac / scale;
}
