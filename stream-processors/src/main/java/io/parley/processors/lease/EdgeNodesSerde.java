/*
 * EdgeNodesSerde owns reading the edge-nodes topic, which carries two shapes: edge nodes'
 * heartbeats and the processors' own lease ticks (told apart by the tick's tickId field).
 */
package io.parley.processors.lease;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.LeaseTick;
import io.parley.contracts.json.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/** Values of edge-nodes: an {@link EdgeHeartbeat} or a {@link LeaseTick}. */
final class EdgeNodesSerde implements Serde<Object>, Serializer<Object>, Deserializer<Object> {
    @Override
    public byte[] serialize(String topic, Object data) {
        return data == null ? null : Json.writeBytes(data);
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            JsonNode tree = Json.MAPPER.readTree(data);
            return tree.hasNonNull("tickId")
                    ? Json.MAPPER.treeToValue(tree, LeaseTick.class)
                    : Json.MAPPER.treeToValue(tree, EdgeHeartbeat.class);
        } catch (IOException e) {
            throw new SerializationException("not a heartbeat or tick on " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public Serializer<Object> serializer() { return this; }

    @Override
    public Deserializer<Object> deserializer() { return this; }
}
