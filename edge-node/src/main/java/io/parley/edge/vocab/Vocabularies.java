/*
 * Vocabularies owns the set of vocabulary profiles a Socket.IO connection can choose at the
 * handshake (auth {profile} in CONNECT, or ?profile= / ?vocabulary= on the Engine.IO handshake),
 * their names, and the default (seed 004's vocabulary, Parley's own).
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.parley.contracts.wire.ServerReply;

import java.util.List;
import java.util.Map;

/** Immutable. */
public final class Vocabularies {
    private Vocabularies() {}

    /** Seed 004's vocabulary: Parley's own; nothing is mapped. */
    public static final Vocabulary DEFAULT = new Default();
    public static final Vocabulary SEED_001 = Seed001.build(1);
    public static final Vocabulary SEED_002 = Seed002.build(2);
    /** The message body field of Parley's send-message (seed 004's name). */
    static final String CONTENT = "content";
    /** How many profiles exist (the size of per-profile caches). */
    public static final int COUNT = 3;

    private static final Map<String, Vocabulary> BY_NAME = Map.of(
            "seed-004", DEFAULT, "default", DEFAULT,
            "seed-001", SEED_001,
            "seed-002", SEED_002);

    /** The profile named {@code name} (null or blank: the default), or null for an unknown name. */
    public static Vocabulary byName(String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT;
        }
        return BY_NAME.get(name.strip());
    }

    /**
     * The profile a Socket.IO connection chose: CONNECT's {@code auth.profile} (or
     * {@code auth.vocabulary}) wins over the name on the Engine.IO handshake's query; none: the
     * default; an unknown name (or a non-string one): null.
     */
    public static Vocabulary chosen(String handshakeName, JsonNode auth) {
        String name = handshakeName;
        if (auth != null && auth.isObject()) {
            JsonNode value = auth.hasNonNull("profile") ? auth.get("profile") : auth.get("vocabulary");
            if (value != null && !value.isNull()) {
                name = value.isTextual() ? value.textValue() : "?";
            }
        }
        return byName(name);
    }

    /** The names a client may give, for error messages and docs. */
    public static List<String> names() {
        return List.of("seed-004", "seed-001", "seed-002");
    }

    private static final class Default implements Vocabulary {
        @Override
        public String name() { return "seed-004"; }

        @Override
        public int index() { return 0; }

        /** Parley's own events need no mapping: the op is the event, the data its first argument. */
        @Override
        public Inbound inbound(String event, List<JsonNode> args) {
            return new Inbound.Request(event, args.isEmpty() ? NullNode.getInstance() : args.get(0), null);
        }

        @Override
        public Emission outbound(String event, JsonNode data) {
            return new Emission(event, List.of(data == null ? NullNode.getInstance() : data));
        }

        @Override
        public List<Emission> reply(String tag, ServerReply reply) {
            return List.of();
        }
    }
}
