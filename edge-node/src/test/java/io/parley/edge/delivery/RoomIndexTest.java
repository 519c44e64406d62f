/*
 * RoomIndexTest owns the proof of the local room -> sockets index: adds and removes per room,
 * removal from every room on disconnect, and no empty room entries left behind.
 */
package io.parley.edge.delivery;

import io.parley.edge.session.FakeConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoomIndexTest {
    private final RoomIndex index = new RoomIndex();
    private final FakeConnection a = new FakeConnection("c-a", "alice");
    private final FakeConnection b = new FakeConnection("c-b", "bob");

    @Test
    void addsAndRemovesPerRoom() {
        index.add("r1", a);
        index.add("r1", b);
        index.add("r2", a);
        index.add("r1", a); // idempotent
        assertThat(index.subscribers("r1")).containsExactlyInAnyOrder(a, b);
        assertThat(index.subscribers("r2")).containsExactly(a);
        assertThat(a.subscriptions().indexedRooms()).containsExactlyInAnyOrder("r1", "r2");

        index.remove("r1", b);
        assertThat(index.subscribers("r1")).containsExactly(a);
        assertThat(b.subscriptions().indexedRooms()).isEmpty();
        assertThat(index.subscribers("nowhere")).isEmpty();
    }

    @Test
    void removeEverywhereDropsTheConnectionAndEmptyRooms() {
        index.add("r1", a);
        index.add("r2", a);
        index.add("r2", b);
        index.removeEverywhere(a);
        assertThat(index.subscribers("r1")).isEmpty();
        assertThat(index.subscribers("r2")).containsExactly(b);
        assertThat(index.roomCount()).isEqualTo(1);
        assertThat(a.subscriptions().indexedRooms()).isEmpty();
    }
}
