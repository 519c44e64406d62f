/*
 * StoreCostTest owns the count of room-state store operations a send-message costs (issue 10):
 * every point read, write and delete of the store, logged under the real store (CountingStore).
 */
package io.parley.processors.room;

import io.parley.contracts.event.RoomCommand;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StoreCostTest extends RoomStageTest {

    @Test
    void baseline() {
        pipe(join("alice", "edge-a", 0, "a1"));
        storeSupplier.store.take();
        pipe(send("alice", "edge-a", 0, "a1", "m-1", "hello", null));
        System.out.println("PLAIN " + storeSupplier.store.take());
        pipe(command("alice", "c-a", "team", new RoomCommand.CreateRoom("Team", "us", "private", 10, List.of("bob"))));
        pipe(join("alice", "edge-a", 0, "a2", "team"));
        storeSupplier.store.take();
        pipe(send("alice", "edge-a", 0, "a2", null, "hello", null, "team"));
        System.out.println("CREATED " + storeSupplier.store.take());
    }
}
