/*
 * TableVocabulary owns the table-driven mapping engine of the vocabulary profiles: inbound rules
 * (seed event -> Parley op, a bare argument's field, renamed payload fields, refused fields, the
 * reply tag), outbound rules (Parley event -> seed event with positional arguments taken from
 * Parley's payload), events a profile does not show, and reply rules (reply -> extra events).
 * Profiles (Seed001, Seed002) are data for it; nothing here knows a particular seed.
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.ErrorCode;
import io.parley.contracts.json.Json;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** Immutable, stateless and thread-safe once built. */
public final class TableVocabulary implements Vocabulary {
    private static final int MAX_ECHOED_EVENT = 40;

    private final String name;
    private final int index;
    private final Map<String, In> inbound;
    private final Map<String, Out> outbound;
    private final Set<String> hidden;
    private final Map<String, Function<ServerReply, List<Emission>>> replies;

    TableVocabulary(String name, int index, Map<String, In> inbound, Map<String, Out> outbound, Set<String> hidden,
                    Map<String, Function<ServerReply, List<Emission>>> replies) {
        this.name = name;
        this.index = index;
        this.inbound = Map.copyOf(inbound);
        this.outbound = Map.copyOf(outbound);
        this.hidden = Set.copyOf(hidden);
        this.replies = Map.copyOf(replies);
    }

    /**
     * One inbound rule: the client event becomes {@code op}; a bare string argument becomes
     * {@code {bareField: value}} (null: not accepted); an object argument keeps only the fields of
     * {@code renames} (seed name -> Parley name); a field of {@code refused} present is refused with
     * its error; {@code tag} names the reply rule (null: none).
     */
    public record In(String op, String bareField, Map<String, String> renames, Map<String, ErrorBody> refused,
                     String tag) {
        public In {
            renames = Map.copyOf(renames);
            refused = Map.copyOf(refused);
        }
    }

    /** One outbound rule: shown as {@code event} with these arguments, when {@code when} holds for Parley's data. */
    public record Out(String event, List<Arg> args, Predicate<JsonNode> when) {
        public Out {
            args = List.copyOf(args);
        }
    }

    /** One positional argument of an outbound event, computed from Parley's payload. */
    @FunctionalInterface
    public interface Arg {
        JsonNode from(JsonNode data);
    }

    @Override
    public String name() { return name; }

    @Override
    public int index() { return index; }

    @Override
    public Inbound inbound(String event, List<JsonNode> args) {
        In rule = event == null ? null : inbound.get(event);
        if (rule == null) {
            return new Inbound.Refused(ErrorBody.of(ErrorCode.UNKNOWN_EVENT,
                    "unknown event '" + truncate(event) + "' in vocabulary " + name));
        }
        // A rule that takes nothing (ping, heartbeat) ignores whatever arguments come with it.
        boolean takesArguments = rule.bareField() != null || !rule.renames().isEmpty();
        JsonNode first = args.isEmpty() || !takesArguments ? null : args.get(0);
        ObjectNode data = Json.MAPPER.createObjectNode();
        if (first != null && first.isTextual() && rule.bareField() != null) {
            data.put(rule.bareField(), first.textValue());
        } else if (first != null && first.isObject()) {
            for (Map.Entry<String, ErrorBody> refused : rule.refused().entrySet()) {
                JsonNode value = first.get(refused.getKey());
                if (value != null && !value.isNull()) {
                    return new Inbound.Refused(refused.getValue());
                }
            }
            for (Map.Entry<String, String> rename : rule.renames().entrySet()) {
                JsonNode value = first.get(rename.getKey());
                if (value != null) {
                    data.set(rename.getValue(), value);
                }
            }
        } else if (first != null && !first.isNull()) {
            return new Inbound.Refused(ErrorBody.of(ErrorCode.INVALID_MESSAGE, "'" + event + "' takes "
                    + (rule.bareField() != null ? "a string" + (rule.renames().isEmpty() ? "" : " or an object") : "an object")
                    + " in vocabulary " + name));
        }
        return new Inbound.Request(rule.op(), data, rule.tag());
    }

    @Override
    public Emission outbound(String event, JsonNode data) {
        if (hidden.contains(event)) {
            return null;
        }
        Out rule = outbound.get(event);
        if (rule == null) {
            return new Emission(event, List.of(data == null ? NullNode.getInstance() : data));
        }
        JsonNode payload = data == null ? Json.MAPPER.createObjectNode() : data;
        if (!rule.when().test(payload)) {
            return null;
        }
        List<JsonNode> args = new ArrayList<>(rule.args().size());
        for (Arg arg : rule.args()) {
            JsonNode value = arg.from(payload);
            args.add(value == null ? NullNode.getInstance() : value);
        }
        return new Emission(rule.event(), args);
    }

    @Override
    public List<Emission> reply(String tag, ServerReply reply) {
        Function<ServerReply, List<Emission>> rule = tag == null ? null : replies.get(tag);
        return rule == null ? List.of() : rule.apply(reply);
    }

    // ---------------------------------------------------------------- building profiles

    /** A builder for one profile's tables. */
    public static Builder builder(String name, int index) {
        return new Builder(name, index);
    }

    public static final class Builder {
        private final String name;
        private final int index;
        private final Map<String, In> inbound = new LinkedHashMap<>();
        private final Map<String, Out> outbound = new LinkedHashMap<>();
        private final Set<String> hidden = new java.util.LinkedHashSet<>();
        private final Map<String, Function<ServerReply, List<Emission>>> replies = new LinkedHashMap<>();

        private Builder(String name, int index) {
            this.name = name;
            this.index = index;
        }

        public Builder in(String event, In rule) {
            inbound.put(event, rule);
            return this;
        }

        public Builder out(String parleyEvent, String event, Arg... args) {
            return outWhen(parleyEvent, event, data -> true, args);
        }

        public Builder outWhen(String parleyEvent, String event, Predicate<JsonNode> when, Arg... args) {
            outbound.put(parleyEvent, new Out(event, List.of(args), when));
            return this;
        }

        /** Parley events this profile does not show (a seed event of the same name has another shape). */
        public Builder hide(String... parleyEvents) {
            hidden.addAll(List.of(parleyEvents));
            return this;
        }

        public Builder reply(String tag, Function<ServerReply, List<Emission>> rule) {
            replies.put(tag, rule);
            return this;
        }

        public TableVocabulary build() {
            return new TableVocabulary(name, index, inbound, outbound, hidden, replies);
        }
    }

    // ---------------------------------------------------------------- argument helpers

    /** The value of {@code source} (as in {@link #resolve}: {@code user.id|senderId}), null when absent. */
    public static Arg field(String source) {
        return data -> {
            JsonNode value = resolve(data, source);
            return value == null ? NullNode.getInstance() : value;
        };
    }

    /** The last element of the array at {@code path}. */
    public static Arg last(String path) {
        return data -> {
            JsonNode array = at(data, path);
            return array != null && array.isArray() && !array.isEmpty() ? array.get(array.size() - 1) : NullNode.getInstance();
        };
    }

    /** A constant argument. */
    public static Arg constant(String value) {
        JsonNode node = Json.MAPPER.getNodeFactory().textNode(value);
        return data -> node;
    }

    /**
     * Parley's object with the seed's field names added: {@code pairs} are (seed field, source)
     * pairs, a source as in {@link #resolve} ({@code user.id|senderId}, {@code messageType|=text}).
     * Parley's own fields are kept (clients ignore what they do not read).
     */
    public static Arg object(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("pairs of (seed field, Parley path)");
        }
        return data -> {
            ObjectNode result = data.isObject() ? ((ObjectNode) data).deepCopy() : Json.MAPPER.createObjectNode();
            for (int i = 0; i < pairs.length; i += 2) {
                JsonNode value = resolve(data, pairs[i + 1]);
                if (value != null) {
                    result.set(pairs[i], value);
                }
            }
            return result;
        };
    }

    /** Only the seed's fields: a new object of (seed field, Parley path) pairs as in {@link #object}. */
    public static Arg only(String... pairs) {
        Arg full = object(pairs);
        return data -> {
            ObjectNode result = Json.MAPPER.createObjectNode();
            JsonNode all = full.from(data);
            for (int i = 0; i < pairs.length; i += 2) {
                if (all.has(pairs[i])) {
                    result.set(pairs[i], all.get(pairs[i]));
                }
            }
            return result;
        };
    }

    /** The data of a reply, an empty object when it has none (for reply rules). */
    public static JsonNode replyData(ServerReply reply) {
        return reply.data() == null ? Json.MAPPER.createObjectNode() : reply.data();
    }

    /**
     * A source of {@link #object}: alternatives separated by {@code |}, the first present wins; an
     * alternative {@code =text} is that constant ({@code =true} / {@code =false}: a boolean).
     */
    static JsonNode resolve(JsonNode data, String source) {
        for (String alternative : source.split("\\|")) {
            if (alternative.equals("=true") || alternative.equals("=false")) {
                return Json.MAPPER.getNodeFactory().booleanNode(Boolean.parseBoolean(alternative.substring(1)));
            }
            if (alternative.startsWith("=")) {
                return Json.MAPPER.getNodeFactory().textNode(alternative.substring(1));
            }
            JsonNode value = at(data, alternative);
            if (value != null && !value.isNull() && !value.isMissingNode()) {
                return value;
            }
        }
        return null;
    }

    static JsonNode at(JsonNode data, String path) {
        JsonNode node = data;
        for (String part : path.split("\\.")) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(part);
        }
        return node;
    }

    private static String truncate(String event) {
        if (event == null) {
            return "null";
        }
        String printable = event.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= MAX_ECHOED_EVENT ? printable : printable.substring(0, MAX_ECHOED_EVENT) + "...";
    }
}
