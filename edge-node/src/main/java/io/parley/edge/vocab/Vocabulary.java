/*
 * Vocabulary owns the contract of a vocabulary profile: how one Socket.IO connection's event names,
 * argument shapes and payload fields map onto Parley's one command model (an op and its data in
 * Parley's default vocabulary, validated by CommandParser like any other request) and how Parley's
 * pushed events and replies look in that vocabulary. A profile is chosen per connection at the
 * handshake; it never reaches the processors.
 */
package io.parley.edge.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.wire.ErrorBody;
import io.parley.contracts.wire.ServerReply;

import java.util.List;

/** Stateless and thread-safe. */
public interface Vocabulary {

    /** The name clients give at the handshake ({@code seed-001}). */
    String name();

    /** A small dense index (0 = the default vocabulary), for per-profile encoding caches. */
    int index();

    /**
     * Maps one client event (its name and its arguments, the ack callback excluded) onto a request
     * in Parley's default vocabulary, or refuses it (an unknown event is {@code UNKNOWN_EVENT}).
     */
    Inbound inbound(String event, List<JsonNode> args);

    /** Parley's pushed event as this vocabulary shows it; null when this vocabulary does not show it. */
    Emission outbound(String event, JsonNode data);

    /**
     * Events a reply becomes besides the ack (e.g. {@code room-joined}, {@code message-ack},
     * {@code heartbeat-ack}); {@code tag} is the one {@link Inbound.Request#tag()} gave. An error
     * reply for which this returns nothing and that has no ack goes out as Parley's "error" event.
     */
    List<Emission> reply(String tag, ServerReply reply);

    /** What a client event maps to. */
    sealed interface Inbound permits Inbound.Request, Inbound.Refused {

        /**
         * A request in Parley's default vocabulary; {@code tag} (null: none) names how its reply
         * is shown and travels with the request's ref.
         */
        record Request(String op, JsonNode data, String tag) implements Inbound {}

        /** Refused at the edge with this error. */
        record Refused(ErrorBody error) implements Inbound {}
    }

    /** One Socket.IO event as sent: its name and its positional arguments. */
    record Emission(String event, List<JsonNode> args) {
        public Emission {
            args = List.copyOf(args);
        }
    }
}
