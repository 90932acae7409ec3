/**
 * Loads libc once per thread (each Worker and each `deno test --parallel`
 * module has its own copy of this module) and hands out its raw symbols.
 * Nothing here checks errors; use the typed modules in `lib/`.
 *
 * @module
 */
import { LIBC_SYMBOLS } from "./symbols.ts";

const library = Deno.dlopen("libc.so.6", LIBC_SYMBOLS);

/** The raw symbols of libc.so.6: no error checking, no tracing. */
export const libc = library.symbols;
