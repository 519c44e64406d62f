/*
 * Tally owns the load generator's counting: what was sent, acked and rejected per phase, and what
 * every receiver got, from the receiver's point of view: per (receiver, room) a seq set that finds
 * duplicates (a seq seen twice) and reordering (a seq below the highest already seen), and the
 * expected deliveries (messages accepted into a room x its members) that find losses. Latencies
 * are measured from the scheduled send time carried in the clientMsgId (no coordinated omission).
 */
package io.parley.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe. One per load generator run; phases are numbered 0..n. */
public final class Tally {
    /** Microseconds; one hour is the highest trackable value. */
    private static final long HIGHEST_MICROS = 3_600_000_000L;

    private final String runTag;
    private final long originNanos;
    private final Map<Integer, Phase> phases = new ConcurrentHashMap<>();

    public Tally(String runTag, long originNanos) {
        if (!runTag.matches("[A-Za-z0-9]{1,12}")) {
            throw new IllegalArgumentException("run tag must be 1-12 letters or digits");
        }
        this.runTag = runTag;
        this.originNanos = originNanos;
    }

    public String runTag() {
        return runTag;
    }

    public Phase phase(int id) {
        return phases.computeIfAbsent(id, Phase::new);
    }

    /** The clientMsgId of a message: run tag, phase, sender, scheduled time (µs since the origin). */
    public String messageId(int phase, int sender, long scheduledNanos) {
        return runTag + "." + phase + "." + sender + "." + Math.max(0, (scheduledNanos - originNanos) / 1000);
    }

    /**
     * The key a refusal is counted under: its error code, marked " (no retryAfterMs)" when a code
     * that must say when to retry (UNAVAILABLE, RATE_LIMIT_EXCEEDED) came without it.
     */
    public static String refusal(String code, boolean hasRetryAfter) {
        if (code == null) {
            return null;
        }
        boolean mustSayWhen = code.equals("UNAVAILABLE") || code.equals("RATE_LIMIT_EXCEEDED");
        return mustSayWhen && !hasRetryAfter ? code + " (no retryAfterMs)" : code;
    }

    /** A send was written: {@code members} deliveries are now expected. */
    public void sent(int phase, int members) {
        Phase p = phase(phase);
        p.sent.increment();
        p.expected.add(members);
    }

    /** The server answered a send ({@code ok}) or refused it ({@code errorCode}); null when foreign. */
    public void replied(String clientMsgId, boolean ok, String errorCode, int members, long nowNanos) {
        Parsed id = parse(clientMsgId);
        if (id == null) {
            return;
        }
        Phase p = phase(id.phase);
        if (ok) {
            p.acked.increment();
            p.ack.recordValue(clamp((nowNanos - originNanos) / 1000 - id.scheduledMicros));
        } else {
            p.rejected.increment();
            p.expected.add(-members);
            p.errors.computeIfAbsent(String.valueOf(errorCode), k -> new LongAdder()).increment();
        }
    }

    /** A receiver joined {@code roomId} when its latest seq was {@code baseSeq}. */
    public Receiver receiver() {
        return new Receiver();
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(HIGHEST_MICROS, micros));
    }

    private record Parsed(int phase, int sender, long scheduledMicros) {}

    private Parsed parse(String clientMsgId) {
        if (clientMsgId == null || !clientMsgId.startsWith(runTag) || clientMsgId.length() <= runTag.length()
                || clientMsgId.charAt(runTag.length()) != '.') {
            return null;
        }
        String[] parts = clientMsgId.substring(runTag.length() + 1).split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new Parsed(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The view of one connection: one seq stream per joined room. */
    public final class Receiver {
        private final Map<String, Stream> streams = new HashMap<>();

        private static final class Stream {
            final long base;
            long maxSeq;
            final BitSet seen = new BitSet();

            Stream(long base) {
                this.base = base;
                this.maxSeq = base;
            }
        }

        public synchronized void joined(String roomId, long baseSeq) {
            streams.put(roomId, new Stream(baseSeq));
        }

        /** A new-message event reached this receiver. */
        public synchronized void delivered(String roomId, long seq, String clientMsgId, long nowNanos) {
            Parsed id = parse(clientMsgId);
            if (id == null) {
                return; // not a message of this run
            }
            Phase p = phase(id.phase);
            Stream stream = streams.get(roomId);
            if (stream == null || seq <= stream.base || seq - stream.base > Integer.MAX_VALUE) {
                p.unexpected.increment();
                return;
            }
            int index = (int) (seq - stream.base);
            if (stream.seen.get(index)) {
                p.duplicated.increment();
                return;
            }
            stream.seen.set(index);
            p.received.increment();
            if (seq < stream.maxSeq) {
                p.outOfOrder.increment();
            } else {
                stream.maxSeq = seq;
            }
            p.e2e.recordValue(clamp((nowNanos - originNanos) / 1000 - id.scheduledMicros));
        }
    }

    /** The counters of one phase (a scenario, or one step of a ramp). */
    public static final class Phase {
        public final int id;
        final LongAdder sent = new LongAdder();
        final LongAdder acked = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder expected = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder duplicated = new LongAdder();
        final LongAdder outOfOrder = new LongAdder();
        final LongAdder unexpected = new LongAdder();
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        final Recorder e2e = new Recorder(HIGHEST_MICROS, 3);
        final Recorder ack = new Recorder(HIGHEST_MICROS, 3);
        private final Histogram e2eTotal = new Histogram(HIGHEST_MICROS, 3);
        private final Histogram ackTotal = new Histogram(HIGHEST_MICROS, 3);

        Phase(int id) {
            this.id = id;
        }

        public long sent() { return sent.sum(); }
        public long acked() { return acked.sum(); }
        public long rejected() { return rejected.sum(); }
        public long expected() { return expected.sum(); }
        public long received() { return received.sum(); }
        public long duplicated() { return duplicated.sum(); }
        public long outOfOrder() { return outOfOrder.sum(); }
        public long unexpected() { return unexpected.sum(); }
        public long lost() { return Math.max(0, expected() - received()); }

        public Map<String, Long> errors() {
            Map<String, Long> out = new java.util.TreeMap<>();
            errors.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }

        /** Everything recorded so far (cumulative), in microseconds. */
        public synchronized Histogram e2eMicros() {
            e2eTotal.add(e2e.getIntervalHistogram());
            return e2eTotal.copy();
        }

        public synchronized Histogram ackMicros() {
            ackTotal.add(ack.getIntervalHistogram());
            return ackTotal.copy();
        }
    }
}
