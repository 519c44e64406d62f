package io.parley.infra.stack;

/** The one place the launcher pauses between readiness probes. */
final class Waits {
    private Waits() {}

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for a server");
        }
    }
}
