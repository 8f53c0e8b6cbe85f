package io.fleetdoctor.infra;

import java.io.IOException;

/**
 * Entry point of child JVMs: exits when stdin closes, i.e. when the parent JVM is gone even after
 * {@code kill -9}, then runs the real main class. So no broker outlives the test or launcher JVM.
 * Usage: {@code ParentWatchdog <main class> <args...>}.
 */
public final class ParentWatchdog {
    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Exception {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; EOF means it is gone
                }
            } catch (IOException ignored) {
                // a broken pipe means the same
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watchdog");
        t.setDaemon(true);
        t.start();
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) rest);
    }
}
