package io.parley.infra.stack;

/** A failure of the local stack that is told to the user as one clear sentence, without a trace. */
public final class StackException extends RuntimeException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
