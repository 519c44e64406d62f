// Integration tests of the rooms queries (GET /v1/rooms/{id}, /v1/me/rooms, /v1/rooms) against the
// real Kafka and Cassandra: answers from the tables the writer fills from room-events, members
// only, paging by cursor, deleted rooms left out, and a replay into an empty keyspace giving the
// same room rows.
package io.parley.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.event.RoomEvent;
import io.parley.history.Fixtures.Response;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.history.Fixtures.caughtUp;
import static io.parley.history.Fixtures.get;
import static io.parley.history.Fixtures.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class RoomsApiIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final long T = Fixtures.BASE_TIME;

    private final HttpClient http = HttpClient.newHttpClient();
    private final TokenIssuer issuer = new TokenIssuer(Fixtures.SECRET, "parley", "parley");

    private static RoomEvent event(String room, long seq, String user, RoomEvent.Body body) {
        return new RoomEvent("e-" + room + "-" + seq, room, seq, user, T + seq, body);
    }

    @Test
    void roomsMembersRolesAndDirectoryFromRoomEventsForMembersOnlyAndAReplayGivesTheSameRows(TestStack stack) throws Exception {
        HistoryConfig config = HistoryTestConfig.fresh(stack, "rooms");
        String keyspace = config.keyspace();
        String groupId = config.groupId();
        String topic = config.roomEventsTopic();
        String p = "p-" + TestStack.uniqueName("r");
        String p2 = "q-" + TestStack.uniqueName("r");
        String priv = "s-" + TestStack.uniqueName("r");
        String gone = "t-" + TestStack.uniqueName("r");
        String joined = "u-" + TestStack.uniqueName("r");
        produce(stack.kafkaBootstrap(), topic, List.of(
                event(p, 1, "alice", new RoomEvent.RoomCreated("Town", "all", "public", 10, 60_000L)),
                event(p, 2, "bob", new RoomEvent.MemberJoined()),
                event(p, 3, "alice", new RoomEvent.MemberAdded("carol", "member")),
                event(p, 4, "alice", new RoomEvent.RoleSet("carol", "admin")),
                event(p, 5, "carol", new RoomEvent.MemberMuted("bob")),
                event(p, 6, "carol", new RoomEvent.RoomUpdated("Square", null, 20)),
                // A muted member leaves and joins again: still muted (the room stage keeps the mute).
                event(p, 7, "bob", new RoomEvent.MemberLeft("client")),
                event(p, 8, "bob", new RoomEvent.MemberJoined()),
                // Muted, left, unmuted while away (the room stage drops the kept mute), back: not muted.
                event(p, 9, "frank", new RoomEvent.MemberJoined()),
                event(p, 10, "carol", new RoomEvent.MemberMuted("frank")),
                event(p, 11, "frank", new RoomEvent.MemberLeft("client")),
                event(p, 12, "carol", new RoomEvent.MemberUnmuted("frank")),
                event(p, 13, "frank", new RoomEvent.MemberJoined()),
                event(p2, 1, "erin", new RoomEvent.RoomCreated(null, null, "public", null)),
                event(priv, 1, "alice", new RoomEvent.RoomCreated("Secret", null, "private", null)),
                event(priv, 2, "alice", new RoomEvent.MemberAdded("dave", "member")),
                event(gone, 1, "alice", new RoomEvent.RoomCreated("Gone", null, "public", null)),
                event(gone, 2, "alice", new RoomEvent.RoomDeleted("owner")),
                event(joined, 1, "alice", new RoomEvent.MemberJoined())));

        List<String> original;
        try (CqlSession session = stack.cqlSession()) {
            try (HistoryStore store = HistoryStore.start(config)) {
                await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
                int port = store.port();

                // get-room: members only, with roles and the muted flag; the update applied.
                Response room = get(http, port, "/v1/rooms/" + p, bearer("bob"));
                assertThat(room.status()).isEqualTo(200);
                assertThat(room.body().get("name").asText()).isEqualTo("Square");
                assertThat(room.body().get("description").asText()).isEqualTo("all");
                assertThat(room.body().get("maxUsers").asInt()).isEqualTo(20);
                assertThat(room.body().get("expireAfterIdleMs").asLong()).isEqualTo(60_000L);
                assertThat(room.body().get("ownerId").asText()).isEqualTo("alice");
                assertThat(room.body().get("role").asText()).isEqualTo("member");
                List<String> members = new ArrayList<>();
                room.body().get("members").forEach(m -> members.add(m.get("userId").asText() + ":" + m.get("role").asText()
                        + (m.get("muted").asBoolean() ? ":muted" : "")));
                assertThat(members).containsExactly("alice:owner", "bob:member:muted", "carol:admin", "frank:member");
                for (String path : List.of("/v1/rooms/" + p, "/v1/rooms/" + priv)) {
                    Response refused = get(http, port, path, bearer("mallory"));
                    assertThat(refused.status()).as(path).isEqualTo(403);
                    assertThat(refused.body().get("error").get("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
                    assertThat(refused.body().has("members")).isFalse();
                }
                assertThat(get(http, port, "/v1/rooms/" + p, null).status()).isEqualTo(401);
                Response deleted = get(http, port, "/v1/rooms/" + gone, bearer("alice"));
                assertThat(deleted.status()).isEqualTo(400);
                assertThat(deleted.body().get("error").get("code").asText()).isEqualTo("INVALID_ROOM");
                assertThat(get(http, port, "/v1/rooms/" + priv, bearer("dave")).status()).isEqualTo(200);

                // My rooms, one per page: the created ones, the joined one, not the deleted one.
                assertThat(walk(port, "/v1/me/rooms", "alice", 1)).containsExactly(p + ":owner", priv + ":owner", joined + ":member");
                assertThat(walk(port, "/v1/me/rooms", "bob", 2)).containsExactly(p + ":member");
                assertThat(walk(port, "/v1/me/rooms", "mallory", 5)).isEmpty();

                // The public directory: public created rooms only, paged across shards.
                assertThat(walk(port, "/v1/rooms", "mallory", 1)).containsExactlyInAnyOrder(p + ":null", p2 + ":null");
                assertThat(walk(port, "/v1/rooms", "mallory", 100)).containsExactlyInAnyOrder(p + ":null", p2 + ":null");
                assertThat(get(http, port, "/v1/rooms?limit=0", bearer("alice")).status()).isEqualTo(400);
                assertThat(get(http, port, "/v1/rooms?cursor=99:x", bearer("alice")).status()).isEqualTo(400);
                original = roomRows(session, keyspace);
                assertThat(original).contains("user_rooms bob|" + p + "|true|null", "directory " + p, "mutes " + p + "|bob|true", "mutes " + p + "|frank|false",
                        "rooms " + gone + "|true|null", "rooms " + p + "|false|60000");
            }

            // Replayed from the start into an empty keyspace: the same rows.
            String replayKeyspace = TestStack.uniqueName("k");
            String replayGroup = TestStack.uniqueName("replay");
            try (HistoryStore replay = HistoryStore.start(config.withKeyspace(replayKeyspace).withGroupId(replayGroup))) {
                await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, replayGroup));
                assertThat(roomRows(session, replayKeyspace)).isEqualTo(original);
            }
        }
    }

    /** Every page of a list, following nextCursor: "roomId:role" per room. */
    private List<String> walk(int port, String path, String user, int limit) throws Exception {
        List<String> rooms = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 50; pages++) {
            Response page = get(http, port, path + "?limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), bearer(user));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body().get("rooms").size()).isLessThanOrEqualTo(limit);
            page.body().get("rooms").forEach(r -> rooms.add(r.get("roomId").asText() + ":" + text(r.get("role"))));
            JsonNode next = page.body().get("nextCursor");
            if (next == null || next.isNull()) {
                return rooms;
            }
            cursor = next.asText();
        }
        throw new AssertionError("more than 50 pages");
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "null" : node.asText();
    }

    /** The rooms-as-objects rows of a keyspace, sorted. */
    private static List<String> roomRows(CqlSession session, String keyspace) {
        List<String> rows = new ArrayList<>();
        for (Row row : session.execute("SELECT user_id, room_id, member, role FROM " + keyspace + ".user_rooms")) {
            rows.add("user_rooms " + row.getString(0) + "|" + row.getString(1) + "|" + row.getObject(2) + "|" + row.getString(3));
        }
        for (Row row : session.execute("SELECT room_id FROM " + keyspace + ".room_directory")) {
            rows.add("directory " + row.getString(0));
        }
        for (Row row : session.execute("SELECT room_id, user_id, muted FROM " + keyspace + ".room_members")) {
            rows.add("mutes " + row.getString(0) + "|" + row.getString(1) + "|" + row.getObject(2));
        }
        for (Row row : session.execute("SELECT room_id, name, description, room_type, owner_id, max_users, deleted,"
                + " expire_after_idle_ms FROM " + keyspace + ".rooms")) {
            rows.add("rooms " + row.getString(0) + "|" + Boolean.TRUE.equals(row.getObject(6)) + "|" + row.getObject(7));
            rows.add("settings " + row.getString(0) + "|" + row.getString(1) + "|" + row.getString(2) + "|" + row.getString(3)
                    + "|" + row.getString(4) + "|" + row.getObject(5));
        }
        rows.sort(null);
        return rows;
    }

    private String bearer(String user) {
        return "Bearer " + issuer.mint(user, Duration.ofMinutes(10));
    }
}
