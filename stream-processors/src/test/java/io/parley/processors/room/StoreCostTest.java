/*
 * StoreCostTest owns the count of room-state store operations a send-message costs (issue 10):
 * every point read, write and delete of the store, logged under the real store (CountingStore),
 * for a plain room and for rooms whose head says a lookup is needed (a member muted once, idle
 * expiry, deleted, a head written before head flags).
 */
package io.parley.processors.room;

import io.parley.contracts.event.RoomCommand;
import io.parley.processors.Stores;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StoreCostTest extends RoomStageTest {
    private static final String TEAM = "team";

    /** The store operations of one command. */
    private List<String> costOf(RoomCommand command) {
        storeSupplier.store.take();
        pipe(command);
        return storeSupplier.store.take();
    }

    @Test
    void aSendInAPlainRoomReadsSixKeysAndWritesThree() {
        // Before issue 10's cut: 10 reads (11 with the legacy decision key): the head twice, the
        // room's settings (deleted?), the sender's member entry (muted?), the idle timer.
        pipe(join("alice", "edge-a", 0, "a1"));
        RoomCommand hello = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        assertThat(costOf(hello)).containsExactly(
                "get " + RoomKeys.done(hello),                        // decided before?
                "get " + RoomKeys.head(ROOM),                         // seq, ops, flags
                "get " + RoomKeys.clientMsg(ROOM, "alice", "m-1"),    // a resend?
                "get " + RoomKeys.connections(ROOM, "alice"),         // a member's connection?
                "get " + RoomKeys.nodes(ROOM),                        // routing
                "put " + RoomKeys.done(hello),                        // decision first
                "put " + RoomKeys.clientMsg(ROOM, "alice", "m-1"),
                "put " + RoomKeys.head(ROOM),                         // head last
                "get " + RoomKeys.typing(ROOM, "alice"));             // a message ends typing

        RoomCommand plain = send("alice", "edge-a", 0, "a1", null, "no id", null);
        assertThat(costOf(plain)).containsExactly("get " + RoomKeys.done(plain), "get " + RoomKeys.head(ROOM),
                "get " + RoomKeys.connections(ROOM, "alice"), "get " + RoomKeys.nodes(ROOM),
                "put " + RoomKeys.done(plain), "put " + RoomKeys.head(ROOM), "get " + RoomKeys.typing(ROOM, "alice"));

        // A resend: found by its clientMsgId, nothing but its own decision written.
        RoomCommand resend = send("alice", "edge-a", 0, "a1", "m-1", "hello", null);
        assertThat(costOf(resend)).containsExactly("get " + RoomKeys.done(resend), "get " + RoomKeys.head(ROOM),
                "get " + RoomKeys.clientMsg(ROOM, "alice", "m-1"), "put " + RoomKeys.done(resend));
    }

    @Test
    void aCreatedRoomCostsTheSameUntilAMemberIsMuted() {
        pipe(command("alice", "c-a", TEAM, new RoomCommand.CreateRoom("Team", "us", "private", 10, List.of("bob"))));
        pipe(join("alice", "edge-a", 0, "a1", TEAM));
        assertThat(costOf(send("alice", "edge-a", 0, "a1", null, "hi", null, TEAM)))
                .noneMatch(op -> op.startsWith("get u|") || op.startsWith("get o|") || op.startsWith("get e|"));

        pipe(command("alice", "c-a", TEAM, new RoomCommand.MuteMember("bob")));
        pipe(command("alice", "c-a", TEAM, new RoomCommand.UnmuteMember("bob")));
        // Once a member was muted, every send asks whether its sender is (the flag is never cleared).
        assertThat(costOf(send("alice", "edge-a", 0, "a1", null, "again", null, TEAM)))
                .contains("get " + RoomKeys.member(TEAM, "alice"))
                .noneMatch(op -> op.startsWith("get o|") || op.startsWith("get e|"));
    }

    @Test
    void aRoomWithIdleExpiryMovesItsTimerAndADeletedRoomIsLookedUp() {
        pipe(command("alice", "c-a", TEAM, new RoomCommand.CreateRoom("Team", null, "public", null, null, 60_000L)));
        pipe(join("alice", "edge-a", 0, "a1", TEAM));
        assertThat(costOf(send("alice", "edge-a", 0, "a1", null, "hi", null, TEAM)))
                .contains("get " + RoomKeys.idle(TEAM), "put " + RoomKeys.idle(TEAM))
                .doesNotContain("get " + RoomKeys.member(TEAM, "alice"));

        pipe(command("alice", "c-a", TEAM, new RoomCommand.DeleteRoom(null)));
        List<String> refused = costOf(send("alice", "edge-a", 0, "a1", null, "late", null, TEAM));
        assertThat(refused).contains("get " + RoomKeys.room(TEAM)).noneMatch(op -> op.startsWith("put h|"));
    }

    @Test
    void aHeadWrittenBeforeFlagsMakesEveryLookup() {
        pipe(join("alice", "edge-a", 0, "a1"));
        KeyValueStore<String, RoomEntry> store = driver.getKeyValueStore(Stores.ROOM_STATE);
        RoomEntry.Head head = (RoomEntry.Head) store.get(RoomKeys.head(ROOM));
        store.put(RoomKeys.head(ROOM), new RoomEntry.Head(head.seq(), head.ops(), null)); // as restored from before
        assertThat(costOf(send("alice", "edge-a", 0, "a1", null, "hi", null)))
                .contains("get " + RoomKeys.room(ROOM), "get " + RoomKeys.member(ROOM, "alice"), "get " + RoomKeys.idle(ROOM));
        assertThat(store.get(RoomKeys.head(ROOM))).isEqualTo(new RoomEntry.Head(head.seq() + 1, head.ops() + 1, null));
    }
}
