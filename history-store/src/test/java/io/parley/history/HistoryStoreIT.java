// Integration tests of the whole history store (writer + API) against the real Kafka and Cassandra.
package io.parley.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.Topic;
import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.event.RoomEvent;
import io.parley.history.Fixtures.Response;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static io.parley.history.Fixtures.caughtUp;
import static io.parley.history.Fixtures.get;
import static io.parley.history.Fixtures.message;
import static io.parley.history.Fixtures.produce;
import static io.parley.history.Fixtures.seqs;
import static io.parley.history.Fixtures.snapshot;
import static io.parley.history.Fixtures.storedSeqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(ParleyStackExtension.class)
class HistoryStoreIT {
    private static final int BUCKET_SIZE = 16;
    private static final int N = 250;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newHttpClient();
    private final TokenIssuer issuer = new TokenIssuer(Fixtures.SECRET, "parley", "parley");

    /** The store's configuration on a fresh topic namespace, keyspace and consumer group, with small buckets. */
    private static HistoryConfig freshConfig(TestStack stack) {
        return HistoryTestConfig.fresh(stack, "history").withBucketSize(BUCKET_SIZE);
    }

    /**
     * Room A: messages 1..N, then alice joins (N + 1). Room B: messages 1-5, member events 6-40 (a
     * whole empty bucket; alice joins at 6), messages 41-45. Room B + "c": created by olivia
     * (private, at most 5), pat added, then made admin.
     */
    private static List<RoomEvent> events(String roomA, String roomB) {
        List<RoomEvent> events = new ArrayList<>();
        LongStream.rangeClosed(1, N).forEach(seq -> events.add(message(roomA, seq)));
        events.add(Fixtures.joined(roomA, N + 1, "alice"));
        LongStream.rangeClosed(1, 45).forEach(seq -> events.add(seq <= 5 || seq >= 41 ? message(roomB, seq)
                : seq == 6 ? Fixtures.joined(roomB, seq, "alice") : Fixtures.joined(roomB, seq)));
        events.add(new RoomEvent("e-c1", roomB + "c", 1, "olivia", Fixtures.BASE_TIME,
                new RoomEvent.RoomCreated("Plans", null, "private", 5)));
        events.add(new RoomEvent("e-c1", roomB + "c", 2, "olivia", Fixtures.BASE_TIME, new RoomEvent.MemberAdded("pat", "member")));
        events.add(new RoomEvent("e-c3", roomB + "c", 3, "olivia", Fixtures.BASE_TIME, new RoomEvent.RoleSet("pat", "admin")));
        return events;
    }

    private String bearer(String user) {
        return "Bearer " + issuer.mint(user, Duration.ofMinutes(10));
    }

    private JsonNode page(int port, String roomId, String query) throws Exception {
        Response response = get(http, port, "/v1/rooms/" + roomId + "/messages" + query, bearer("alice"));
        assertThat(response.status()).as("GET %s %s: %s", roomId, query, response.body()).isEqualTo(200);
        assertThat(response.body().get("roomId").asText()).isEqualTo(roomId);
        return response.body();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void storesEveryMessageAndPagesExactlyAcrossBuckets(TestStack stack) throws Exception {
        HistoryConfig config = freshConfig(stack);
        String keyspace = config.keyspace();
        String groupId = config.groupId();
        String roomA = TestStack.uniqueName("room-a-");
        String roomB = TestStack.uniqueName("room-b-");
        produce(stack.kafkaBootstrap(), config.roomEventsTopic(), events(roomA, roomB));

        try (HistoryStore store = HistoryStore.start(config); CqlSession session = stack.cqlSession()) {
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), config.roomEventsTopic(), groupId));
            Map<String, List<Long>> stored = storedSeqs(session, keyspace);
            assertThat(stored.get(roomA)).isEqualTo(range(1, N));
            assertThat(stored.get(roomB)).isEqualTo(List.of(1L, 2L, 3L, 4L, 5L, 41L, 42L, 43L, 44L, 45L));
            int port = store.port();

            assertThat(get(http, port, "/health", null).status()).isEqualTo(200);
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).as("the writer's CQL requests are counted")
                    .containsPattern("parley_history_cql_writes_total(\\{[^}]*\\})? [1-9]");

            // Latest, default limit (50).
            JsonNode latest = page(port, roomA, "");
            assertThat(seqs(latest)).isEqualTo(range(N - 49, N));
            assertThat(latest.get("hasMore").asBoolean()).isTrue();

            // Every field of a message: seed 004's message object, as new-message carries it.
            for (int back = 1; back <= 2; back++) { // an image with display fields, and a text without
                JsonNode m = latest.get("messages").get(latest.get("messages").size() - back);
                RoomEvent event = message(roomA, N - back + 1);
                RoomEvent.MessageSent sent = (RoomEvent.MessageSent) event.body();
                assertThat(m.get("seq").asLong()).isEqualTo(event.seq());
                assertThat(m.get("id").asText()).isEqualTo(sent.messageId());
                assertThat(m.get("roomId").asText()).isEqualTo(roomA);
                assertThat(m.get("userId").asText()).isEqualTo(event.userId());
                assertThat(m.get("content").asText()).isEqualTo(sent.content());
                assertThat(m.get("messageType").asText()).isEqualTo(sent.messageType());
                assertThat(m.path("clientMsgId").asText(null)).isEqualTo(sent.clientMsgId());
                assertThat(m.path("replyTo").asText(null)).isEqualTo(sent.replyTo());
                assertThat(m.get("createdAt").asText()).isEqualTo(java.time.Instant.ofEpochMilli(event.timestamp()).toString()
                        .replace("Z", event.timestamp() % 1000 == 0 ? ".000Z" : "Z"));
                assertThat(m.get("user").get("id").asText()).isEqualTo(event.userId());
                assertThat(m.get("user").get("username").asText())
                        .isEqualTo(sent.username() == null ? event.userId() : sent.username());
                assertThat(m.get("user").get("avatarUrl").isNull()).isEqualTo(sent.avatarUrl() == null);
                assertThat(m.has("text")).isFalse();
            }

            // after: first 200, then the rest; the edges.
            JsonNode first = page(port, roomA, "?after=0&limit=200");
            assertThat(seqs(first)).isEqualTo(range(1, 200));
            assertThat(first.get("hasMore").asBoolean()).isTrue();
            JsonNode rest = page(port, roomA, "?after=200&limit=200");
            assertThat(seqs(rest)).isEqualTo(range(201, N));
            assertThat(rest.get("hasMore").asBoolean()).isFalse();
            assertThat(seqs(page(port, roomA, "?after=" + N))).isEmpty();
            assertThat(page(port, roomA, "?after=" + N).get("hasMore").asBoolean()).isFalse();

            // before, across the boundary of buckets 0 (0..15) and 1 (16..31).
            JsonNode before = page(port, roomA, "?before=18&limit=5");
            assertThat(seqs(before)).isEqualTo(range(13, 17));
            assertThat(before.get("hasMore").asBoolean()).isTrue();
            JsonNode oldest = page(port, roomA, "?before=3&limit=5");
            assertThat(seqs(oldest)).isEqualTo(range(1, 2));
            assertThat(oldest.get("hasMore").asBoolean()).isFalse();

            // Walking forward and backward with odd page sizes yields every message exactly once.
            List<Long> forward = new ArrayList<>();
            long cursor = 0;
            boolean more = true;
            while (more) {
                JsonNode p = page(port, roomA, "?after=" + cursor + "&limit=37");
                forward.addAll(seqs(p));
                cursor = forward.getLast();
                more = p.get("hasMore").asBoolean();
            }
            assertThat(forward).isEqualTo(range(1, N));
            List<Long> backward = new ArrayList<>();
            JsonNode p = page(port, roomA, "?limit=23");
            backward.addAll(0, seqs(p));
            while (p.get("hasMore").asBoolean()) {
                p = page(port, roomA, "?before=" + backward.getFirst() + "&limit=23");
                backward.addAll(0, seqs(p));
            }
            assertThat(backward).isEqualTo(range(1, N));

            // Room B: bucket 1 holds no message (member events only); pages walk through it.
            assertThat(seqs(page(port, roomB, "?limit=7"))).containsExactly(4L, 5L, 41L, 42L, 43L, 44L, 45L);
            assertThat(seqs(page(port, roomB, "?after=5&limit=3"))).containsExactly(41L, 42L, 43L);
            assertThat(seqs(page(port, roomB, "?before=41"))).containsExactly(1L, 2L, 3L, 4L, 5L);

            // A room nobody wrote to: nobody is a member of it.
            assertRefused(port, "no-such-room", "alice");
        }
    }

    /** Members only: history and read positions refused (403, nothing of the room) to a non-member. */
    private void assertRefused(int port, String roomId, String user) throws Exception {
        for (String path : List.of("/messages", "/messages?after=0&limit=200", "/read-positions")) {
            Response response = get(http, port, "/v1/rooms/" + roomId + path, bearer(user));
            assertThat(response.status()).as("%s %s %s", user, roomId, path).isEqualTo(403);
            assertThat(response.body().get("error").get("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
            assertThat(response.body().has("messages")).isFalse();
            assertThat(response.body().has("positions")).isFalse();
        }
    }

    @Test
    void historyAndReadPositionsAreForMembersOnly(TestStack stack) throws Exception {
        HistoryConfig config = freshConfig(stack);
        String groupId = config.groupId();
        String room = TestStack.uniqueName("room-");
        String topic = config.roomEventsTopic();
        produce(stack.kafkaBootstrap(), topic, List.of(Fixtures.joined(room, 1, "alice"), Fixtures.joined(room, 2, "bob"),
                message(room, 3), new RoomEvent("r-4", room, 4, "bob", Fixtures.BASE_TIME, new RoomEvent.ReadPosition(3)),
                Fixtures.left(room, 5, "bob", "disconnect")));

        try (HistoryStore store = HistoryStore.start(config)) {
            int port = store.port();
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
            assertThat(seqs(page(port, room, ""))).containsExactly(3L);
            // bob's socket closed (disconnect): still a member, he reads the room and its read positions.
            Response bobs = get(http, port, "/v1/rooms/" + room + "/messages", bearer("bob"));
            assertThat(bobs.status()).isEqualTo(200);
            assertThat(bobs.body().get("readSeq").asLong()).isEqualTo(3);
            Response positions = get(http, port, "/v1/rooms/" + room + "/read-positions", bearer("alice"));
            assertThat(positions.status()).isEqualTo(200);
            assertThat(positions.body().get("positions").get(0).get("userId").asText()).isEqualTo("bob");
            // mallory never joined, even though she knows the id.
            assertRefused(port, room, "mallory");

            // alice leaves (leave-room): no more reads; she joins again: reads again.
            produce(stack.kafkaBootstrap(), topic, List.of(Fixtures.left(room, 6, "alice", "client")));
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
            assertRefused(port, room, "alice");
            produce(stack.kafkaBootstrap(), topic, List.of(Fixtures.joined(room, 7, "alice")));
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
            assertThat(seqs(page(port, room, ""))).containsExactly(3L);

            // A replayed older event (at-least-once) never undoes a later one: the room's latest wins.
            produce(stack.kafkaBootstrap(), topic, List.of(Fixtures.left(room, 6, "alice", "client")));
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
            assertThat(seqs(page(port, room, ""))).containsExactly(3L);

            // A created room: its creator (room-created) and the members added (member-added, not the adder) read it.
            String created = TestStack.uniqueName("created-");
            produce(stack.kafkaBootstrap(), topic, List.of(
                    new RoomEvent("c-1", created, 1, "alice", Fixtures.BASE_TIME, new RoomEvent.RoomCreated("C", null, "private", null)),
                    new RoomEvent("c-1", created, 2, "alice", Fixtures.BASE_TIME, new RoomEvent.MemberAdded("pat", "member")),
                    message(created, 3)));
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
            assertThat(seqs(page(port, created, ""))).containsExactly(3L);
            assertThat(get(http, port, "/v1/rooms/" + created + "/messages", bearer("pat")).status()).isEqualTo(200);
            assertRefused(port, created, "mallory");
        }
    }

    @Test
    void duplicatesRestartAndReplayIntoAnEmptyKeyspaceChangeNothing(TestStack stack) throws Exception {
        HistoryConfig config = freshConfig(stack);
        String keyspace = config.keyspace();
        String groupId = config.groupId();
        String roomA = TestStack.uniqueName("room-a-");
        String roomB = TestStack.uniqueName("room-b-");
        String topic = config.roomEventsTopic();
        List<RoomEvent> events = events(roomA, roomB);
        produce(stack.kafkaBootstrap(), topic, events);

        try (CqlSession session = stack.cqlSession()) {
            List<String> original;
            try (HistoryStore store = HistoryStore.start(config)) {
                await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
                assertThat(store.isWriterRunning()).isTrue();
                original = snapshot(session, keyspace);
                // messages of A and B, one head each, and C's head row with no message seq (only its event
                // seq, for resume's storedSeq); members: alice in A and B, user-x in B, olivia and pat in C; room C
                assertThat(original).hasSize(N + 10 + 3 + 5 + 1);
                assertThat(original).contains("heads " + roomB + "c|null");
                assertThat(original).contains("members " + roomA + "|alice|true|null", "members " + roomB + "|user-x|true|null",
                        "members " + roomB + "c|olivia|true|owner", "members " + roomB + "c|pat|true|admin",
                        "rooms " + roomB + "c|Plans|null|private|olivia|5");

                // The same events again (at-least-once duplicates): exactly the same rows.
                produce(stack.kafkaBootstrap(), topic, events);
                await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
                assertThat(snapshot(session, keyspace)).isEqualTo(original);
            }
            // close() committed everything it stored.
            assertThat(caughtUp(stack.kafkaBootstrap(), topic, groupId)).isTrue();

            // A restart with the same group resumes where it stopped: nothing changes, new events arrive.
            try (HistoryStore restarted = HistoryStore.start(config)) {
                await().atMost(PATIENCE).until(restarted::isWriterRunning);
                assertThat(snapshot(session, keyspace)).isEqualTo(original);
                produce(stack.kafkaBootstrap(), topic, List.of(message(roomB, 46)));
                await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
                assertThat(storedSeqs(session, keyspace).get(roomB)).endsWith(45L, 46L);
                List<String> expected = new ArrayList<>(original);
                expected.removeIf(row -> row.startsWith("heads " + roomB + "|"));
                List<String> now = snapshot(session, keyspace);
                assertThat(now).containsAll(expected).hasSize(original.size() + 1);
                assertThat(now).contains("heads " + roomB + "|46");
            }
            List<String> afterRestart = snapshot(session, keyspace);

            // A replay from the start, with a new group, into an empty keyspace the store creates itself.
            String replayKeyspace = TestStack.uniqueName("k");
            String replayGroup = TestStack.uniqueName("replay");
            HistoryConfig replay = config.withKeyspace(replayKeyspace).withGroupId(replayGroup);
            try (HistoryStore store = HistoryStore.start(replay)) {
                await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, replayGroup));
                assertThat(snapshot(session, replayKeyspace)).isEqualTo(afterRestart);
                assertThat(seqs(page(store.port(), roomA, "?after=0&limit=200"))).isEqualTo(range(1, 200));
            }
        }
    }

    @Test
    void undecodableRecordsAreSkippedAndCommittedPast(TestStack stack) throws Exception {
        HistoryConfig config = freshConfig(stack);
        String keyspace = config.keyspace();
        String groupId = config.groupId();
        String room = TestStack.uniqueName("room-");
        String topic = config.roomEventsTopic();
        // Same key, so the same partition: the poison records sit between valid ones.
        produce(stack.kafkaBootstrap(), topic, List.of(message(room, 1), message(room, 2)));
        Fixtures.produceRaw(stack.kafkaBootstrap(), topic, room, "not json".getBytes(StandardCharsets.UTF_8));
        Fixtures.produceRaw(stack.kafkaBootstrap(), topic, room,
                "{\"eventId\":\"x\",\"roomId\":\"r\",\"seq\":3,\"body\":{\"type\":\"no-such-type\"}}".getBytes(StandardCharsets.UTF_8));
        produce(stack.kafkaBootstrap(), topic, List.of(message(room, 3)));

        try (HistoryStore store = HistoryStore.start(config); CqlSession session = stack.cqlSession()) {
            await().atMost(PATIENCE).until(() -> caughtUp(stack.kafkaBootstrap(), topic, groupId));
            assertThat(storedSeqs(session, keyspace)).isEqualTo(Map.of(room, List.of(1L, 2L, 3L)));
            assertThat(store.isWriterRunning()).isTrue();
            assertThat(get(http, store.port(), "/health", null).status()).isEqualTo(200);
        }
    }

    @Test
    void refusesMissingOrBadTokensAndBadParameters(TestStack stack) throws Exception {
        HistoryConfig config = freshConfig(stack);
        String path = "/v1/rooms/room-1/messages";
        try (HistoryStore store = HistoryStore.start(config)) {
            int port = store.port();
            String otherSecret = "another-secret-of-at-least-32-bytes!!";
            List<String> badAuthorizations = new ArrayList<>();
            badAuthorizations.add(null);
            badAuthorizations.add("Bearer not-a-jwt");
            badAuthorizations.add("Basic dXNlcjpwYXNz");
            badAuthorizations.add("Bearer " + new TokenIssuer(otherSecret, "parley", "parley").mint("alice", Duration.ofMinutes(5)));
            badAuthorizations.add("Bearer " + new TokenIssuer(Fixtures.SECRET, "someone-else", "parley").mint("alice", Duration.ofMinutes(5)));
            badAuthorizations.add("Bearer " + issuer.mint("alice", Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600)));
            for (String authorization : badAuthorizations) {
                Response response = get(http, port, path, authorization);
                assertThat(response.status()).as("%s", authorization).isEqualTo(401);
                assertThat(response.body().get("error").get("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
                assertThat(response.body().get("error").get("message").asText()).isNotBlank();
            }

            for (String query : List.of("?limit=0", "?limit=201", "?limit=ten", "?before=-1", "?after=x",
                    "?after=1&before=9", "?after=1&after=2")) {
                Response response = get(http, port, path + query, bearer("alice"));
                assertThat(response.status()).as(query).isEqualTo(400);
                assertThat(response.body().get("error").get("code").asText()).isEqualTo("INVALID_MESSAGE");
            }
            for (String room : List.of("bad%20room", "x".repeat(129), "%C3%A9t%C3%A9")) {
                Response response = get(http, port, "/v1/rooms/" + room + "/messages", bearer("alice"));
                assertThat(response.status()).as(room).isEqualTo(400);
                assertThat(response.body().get("error").get("code").asText()).isEqualTo("INVALID_ROOM");
            }
            // Authentication comes first: a bad token with bad parameters is a 401.
            assertThat(get(http, port, "/v1/rooms/bad%20room/messages?limit=0", null).status()).isEqualTo(401);
            // Valid token and parameters, but nobody is a member of room-1 (the check is after the 400s).
            Response response = get(http, port, path + "?limit=200", bearer("alice"));
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.body().get("error").get("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
        }
    }

    @Test
    void topicNamesComeFromTheNamespace(TestStack stack) {
        HistoryConfig config = HistoryTestConfig.config(stack, "tx.", "kx", "g");
        assertThat(config.roomEventsTopic()).isEqualTo(Topic.ROOM_EVENTS.nameIn("tx."));
        assertThat(config.auth()).isEqualTo(AuthConfig.fromEnv(Map.of("PARLEY_JWT_SECRET", Fixtures.SECRET)));
    }
}
