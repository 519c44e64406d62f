/*
 * SocketLimits owns the per-socket bounds of an edge node, part of EdgeConfig (read there from the
 * environment): the largest client frame, the client's frame rate and the frames queued to it.
 * Both protocols' endpoints apply them.
 */
package io.parley.edge.session;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_MAX_FRAME_BYTES</td><td>16384</td><td>max client frame (UTF-8 bytes); larger: PAYLOAD_TOO_LARGE</td></tr>
 * <tr><td>PARLEY_MAX_FRAMES_PER_SECOND</td><td>20</td><td>per-connection frame rate (token bucket, burst = rate)</td></tr>
 * <tr><td>PARLEY_SEND_QUEUE_LIMIT</td><td>1000</td><td>frames queued per socket before it is closed as a slow consumer</td></tr>
 * </table>
 */
public record SocketLimits(int maxFrameBytes, int maxFramesPerSecond, int sendQueueLimit) {
    public static final int DEFAULT_MAX_FRAME_BYTES = 16384;
    public static final int DEFAULT_MAX_FRAMES_PER_SECOND = 20;
    public static final int DEFAULT_SEND_QUEUE_LIMIT = 1000;

    public SocketLimits {
        if (maxFrameBytes < 256) {
            throw new IllegalArgumentException("PARLEY_MAX_FRAME_BYTES must be >= 256");
        }
        if (maxFramesPerSecond < 1) {
            throw new IllegalArgumentException("PARLEY_MAX_FRAMES_PER_SECOND must be >= 1");
        }
        if (sendQueueLimit < 1) {
            throw new IllegalArgumentException("PARLEY_SEND_QUEUE_LIMIT must be >= 1");
        }
    }
}
