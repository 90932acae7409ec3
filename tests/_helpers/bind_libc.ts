/**
 * Imported first by every test file: binds all of libc's symbols when the
 * file is loaded. lib/ binds each symbol on its first use (a program pays
 * only for the calls it makes); inside a test, that first use would open a
 * library the resource sanitizer reports as leaked by the test. It also
 * turns the sanitizers on (./sanitizers.ts).
 */
import "./sanitizers.ts"; // first: the sanitizers on for every test of the file
import { bindAll } from "../../lib/ffi/libc_ffi.ts";

bindAll();
