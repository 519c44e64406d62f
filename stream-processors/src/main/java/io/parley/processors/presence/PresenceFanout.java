/*
 * PresenceFanout owns the shape of one presence change on its way from the presence stage (keyed
 * by user) to the room stage (keyed by room, through the internal presence-fanout topic), which
 * sends it as presence-update to every edge node holding sockets of the room, with user-online when
 * the room learns the user is online ({@code cameOnline}) and user-offline when the status is offline.
 */
package io.parley.processors.presence;

import io.parley.contracts.json.JsonSerde;
import io.parley.contracts.wire.Protocol;

public record PresenceFanout(String roomId, Protocol.PresenceUpdate update, boolean cameOnline,
                             @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                             String username) {
    public PresenceFanout(String roomId, Protocol.PresenceUpdate update) {
        this(roomId, update, false, null);
    }

    public static JsonSerde<PresenceFanout> serde() {
        return new JsonSerde<>(PresenceFanout.class);
    }
}
