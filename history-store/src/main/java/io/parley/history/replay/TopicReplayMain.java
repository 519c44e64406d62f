// Owns the replay-to-topic command: arguments and environment to TopicReplay settings; progress on
// stdout, exit code 0 done / 1 failed / 2 bad usage.
package io.parley.history.replay;

import io.parley.contracts.Topic;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -cp history-store/target/classes:<runtime.classpath> io.parley.history.replay.TopicReplayMain
 * --target <topic> [--room <roomId>] [--from-time <ISO-8601>] [--to-time <ISO-8601>] [--rate <events/s>]}.
 * The source is {@code room-events} in {@code PARLEY_TOPIC_NAMESPACE} on {@code PARLEY_KAFKA_BOOTSTRAP}
 * (or {@code --source <topic>}); {@code --rate} defaults to 5000 events/s, 0 = unthrottled. The
 * target is a full topic name (no namespace added) and must not be the source. See
 * docs/operations.md, "Replay".
 */
public final class TopicReplayMain {
    private static Logger kafkaLog;

    private TopicReplayMain() {}

    static TopicReplay.Settings parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + name + "'");
            }
            values.put(name.substring(2), args[++i]);
        }
        Set<String> unknown = new java.util.HashSet<>(values.keySet());
        unknown.removeAll(Set.of("target", "source", "room", "from-time", "to-time", "rate"));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + unknown);
        }
        String target = values.get("target");
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("--target <topic> is required");
        }
        String namespace = env.getOrDefault("PARLEY_TOPIC_NAMESPACE", Topic.DEFAULT_NAMESPACE);
        String source = values.getOrDefault("source", Topic.ROOM_EVENTS.nameIn(namespace.isBlank() ? Topic.DEFAULT_NAMESPACE : namespace.strip()));
        if (source.equals(target)) {
            throw new IllegalArgumentException("--target must not be the source topic " + source);
        }
        Instant from = time(values.get("from-time"), "from-time");
        Instant to = time(values.get("to-time"), "to-time");
        if (from != null && to != null && !to.isAfter(from)) {
            throw new IllegalArgumentException("--to-time must be after --from-time");
        }
        double rate;
        try {
            rate = Double.parseDouble(values.getOrDefault("rate", "5000"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate is not a number: " + values.get("rate"));
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative");
        }
        String bootstrap = env.getOrDefault("PARLEY_KAFKA_BOOTSTRAP", "127.0.0.1:19092");
        return new TopicReplay.Settings(bootstrap, source, target, values.get("room"), from, to, rate, Duration.ofSeconds(5));
    }

    private static Instant time(String text, String name) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--" + name + " must be an ISO-8601 instant such as 2026-01-01T10:00:00Z");
        }
    }

    public static void main(String[] args) {
        kafkaLog = Logger.getLogger("org.apache.kafka");
        kafkaLog.setLevel(Level.WARNING);
        TopicReplay.Settings settings;
        try {
            settings = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("parley-replay: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            new TopicReplay(settings, System.out).run();
            System.exit(0);
        } catch (InterruptedException e) {
            System.err.println("parley-replay: interrupted");
            System.exit(1);
        } catch (RuntimeException e) {
            System.err.println("parley-replay: failed: " + e);
            System.exit(1);
        }
    }
}
