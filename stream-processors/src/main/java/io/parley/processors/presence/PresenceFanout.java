/*
 * PresenceFanout owns the shape of one presence change on its way from the presence stage (keyed
 * by user) to the room stage (keyed by room, through the internal presence-fanout topic), which
 * sends it as presence-update to every edge node holding sockets of the room.
 */
package io.parley.processors.presence;

import io.parley.contracts.json.JsonSerde;
import io.parley.contracts.wire.Protocol;

public record PresenceFanout(String roomId, Protocol.PresenceUpdate update) {
    public static JsonSerde<PresenceFanout> serde() {
        return new JsonSerde<>(PresenceFanout.class);
    }
}
