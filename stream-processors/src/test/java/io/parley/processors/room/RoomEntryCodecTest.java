/*
 * RoomEntryCodecTest owns the checks of the room-state value serde: the compact kinds round-trip,
 * every kind written as JSON before the compact form (a store restored from an old changelog)
 * still reads, the other kinds stay JSON, and a truncated compact value is an error, not a guess.
 */
package io.parley.processors.room;

import io.parley.contracts.json.JsonSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomEntryCodecTest {
    private final RoomEntryCodec codec = new RoomEntryCodec();
    private final JsonSerde<RoomEntry> before = new JsonSerde<>(RoomEntry.class);

    private static final List<RoomEntry> COMPACT = List.of(
            new RoomEntry.Head(42, 17, 0),
            new RoomEntry.Head(42, 17, RoomEntry.Head.MUTED | RoomEntry.Head.DELETED),
            new RoomEntry.Head(1, 1, null),
            new RoomEntry.ClientMsg("01MCC5RM0E0000000000000002", 9, 1_800_000_000_000L),
            new RoomEntry.Connections(Map.of("c-1", new RoomEntry.ConnRef("edge-a", 3), "c-ü", new RoomEntry.ConnRef(null, 0))),
            new RoomEntry.Connections(Map.of()),
            new RoomEntry.Nodes(Map.of("edge-a", new RoomEntry.NodeRef(0, 2), "edge-b", new RoomEntry.NodeRef(5, 1))),
            new RoomEntry.Done(Decision.of(Decision.Kind.SENT, 7, List.of(new Decision.Target("edge-a", 0), new Decision.Target("edge-b", 3))),
                    7, List.of(new RoomEntry.Write("m|r|5:alice|m-1", new RoomEntry.ClientMsg("01MCC5RM0E0000000000000002", 7, 5L)),
                    new RoomEntry.Write("h|r", new RoomEntry.Head(7, 7, 0))), "m|r|5:alice|m-1"),
            new RoomEntry.Done(Decision.rejected(io.parley.contracts.ErrorCode.AUTHORIZATION_FAILED, "join the room first"), 0, List.of(), null),
            new RoomEntry.Done(Decision.resent("01MCC5RM0E0000000000000002", 4, 1_800_000_000_000L), 0, List.of(), null),
            new RoomEntry.Done(Decision.read(Decision.Kind.READ, 9, List.of(), 3, List.of("01MCC5RM0E0000000000000002")), 9, List.of(
                    new RoomEntry.Write("c|r|5:alice", null),
                    new RoomEntry.Write("u|r|5:alice", new RoomEntry.Member("admin", true)),
                    new RoomEntry.Write("o|r", new RoomEntry.Room("R", null, "public", "alice", null, 2, 60_000L, null)),
                    new RoomEntry.Write("h|r", new RoomEntry.Head(9, 9, RoomEntry.Head.IDLE))), null));

    @Test
    void theValuesASendTouchesAreCompactAndRoundTrip() {
        for (RoomEntry entry : COMPACT) {
            byte[] bytes = codec.serialize("t", entry);
            assertThat(bytes[0]).as("%s", entry).isBetween(RoomEntryCodec.HEAD, RoomEntryCodec.DONE);
            assertThat(bytes.length).as("%s", entry).isLessThan(before.serialize("t", entry).length);
            assertThat(codec.deserialize("t", bytes)).isEqualTo(entry);
        }
    }

    @Test
    void jsonWrittenBeforeStillReads() {
        List<RoomEntry> all = new java.util.ArrayList<>(COMPACT);
        all.addAll(List.of(new RoomEntry.Member("admin", true), new RoomEntry.ReadPos(4), new RoomEntry.MsgSeq(3),
                new RoomEntry.Done(Decision.of(Decision.Kind.SENT, 2, List.of(new Decision.Target("edge-a", 0))), 2,
                        List.of(new RoomEntry.Write(RoomKeys.head("r"), new RoomEntry.Head(2, 2, 0))), null),
                new RoomEntry.Filing(0)));
        for (RoomEntry entry : all) {
            assertThat(codec.deserialize("t", before.serialize("t", entry))).isEqualTo(entry);
        }
        // A head of before flags: no "flags" property, read as null (every lookup).
        assertThat(codec.deserialize("t", "{\"t\":\"head\",\"seq\":5,\"ops\":3}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new RoomEntry.Head(5, 3, null));
    }

    @Test
    void otherKindsStayJson() {
        RoomEntry member = new RoomEntry.Member("member");
        assertThat(codec.serialize("t", member)).isEqualTo(before.serialize("t", member));
    }

    @Test
    void aTruncatedCompactValueIsAnError() {
        for (RoomEntry entry : COMPACT) {
            byte[] bytes = codec.serialize("t", entry);
            assertThatThrownBy(() -> codec.deserialize("t", Arrays.copyOf(bytes, bytes.length - 1)))
                    .as("%s", entry).isInstanceOf(SerializationException.class);
        }
    }
}
