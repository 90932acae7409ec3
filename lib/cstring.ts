/**
 * C strings: UTF-8 bytes with a terminating NUL.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Encode a JS string as a NUL-terminated UTF-8 C string. Non-ASCII text
 * (`"çalışma/ğ"`) is encoded byte-exactly as the kernel expects for paths.
 *
 * @example
 * ```ts
 * import { cString } from "./cstring.ts";
 * cString("ab"); // Uint8Array [97, 98, 0]
 * ```
 */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) {
    throw new TypeError(`a C string cannot contain NUL: ${JSON.stringify(s)}`);
  }
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * Read a NUL-terminated C string out of a byte buffer (up to the first NUL,
 * or the whole buffer when there is none), decoded as UTF-8.
 *
 * @example
 * ```ts
 * import { cStringAt } from "./cstring.ts";
 * cStringAt(new Uint8Array([104, 105, 0, 120])); // "hi"
 * ```
 */
export function cStringAt(buffer: Uint8Array, offset = 0): string {
  const end = buffer.indexOf(0, offset);
  return new TextDecoder().decode(
    buffer.subarray(offset, end === -1 ? buffer.length : end),
  );
}
