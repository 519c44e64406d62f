/*
 * MembershipTest owns the check of what each room event says of a user's membership in the
 * history store's room_members (which user it concerns is MessageStore.write's; HistoryStoreIT
 * runs both on Cassandra).
 */
package io.parley.history.cql;

import io.parley.contracts.event.RoomEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipTest {
    @Test
    void joinsCreationAndAdditionsMakeMembersLeaveRoomAndRemovalEndItADisconnectChangesNothing() {
        assertThat(MessageStore.membership(new RoomEvent.MemberJoined())).isTrue();
        assertThat(MessageStore.membership(new RoomEvent.RoomCreated(null, null, "private", null))).isTrue();
        assertThat(MessageStore.membership(new RoomEvent.MemberAdded("bob", "member"))).isTrue();
        assertThat(MessageStore.membership(new RoomEvent.MemberLeft("client"))).isFalse();
        assertThat(MessageStore.membership(new RoomEvent.MemberRemoved("bob"))).isFalse();
        assertThat(MessageStore.membership(new RoomEvent.MemberLeft("disconnect"))).isNull();
        assertThat(MessageStore.membership(new RoomEvent.ReadPosition(3))).isNull();
    }
}
