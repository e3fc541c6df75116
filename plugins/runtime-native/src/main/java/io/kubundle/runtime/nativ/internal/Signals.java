package io.kubundle.runtime.nativ.internal;

import java.util.Locale;
import java.util.Map;

import jnr.ffi.LibraryLoader;

/**
 * Sends a signal to a process by its pid with {@code kill(2)} through jnr-ffi: Java can only send
 * SIGTERM and SIGKILL, and an image's stop signal may be any (SIGQUIT for nginx, SIGINT, ...).
 */
final class Signals {
    /** Linux x86_64 and aarch64 numbers of the signals an image may name. */
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

    static final int KILL = 9;

    /** The C library functions used; public so that jnr-ffi's generated class can implement it. */
    public interface LibC {
        int kill(int pid, int signal);
    }

    private final LibC libc;

    /** Loads the C library; fails if jnr-ffi or its native stub cannot be loaded. */
    Signals() {
        libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
    }

    /** A signal's number from its name ({@code SIGTERM}, {@code TERM}) or number ({@code 15}). */
    static int number(String signal) {
        String name = signal.strip().toUpperCase(Locale.ROOT);
        if (name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        Integer number = NUMBERS.get(name.startsWith("SIG") ? name.substring(3) : name);
        if (number == null) {
            throw new IllegalArgumentException("unknown signal " + signal);
        }
        return number;
    }

    /** Sends a signal; false if the process is gone (or not ours to signal). */
    boolean send(long pid, int signal) {
        return libc.kill((int) pid, signal) == 0;
    }

    /** Whether the C library answers: {@code kill(ourselves, 0)}. */
    boolean works() {
        return send(ProcessHandle.current().pid(), 0);
    }
}
