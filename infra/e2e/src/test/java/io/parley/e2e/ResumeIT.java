package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.contracts.json.Json;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resume on /ws against the real stack (issue 13): a client offline while 10,000 messages were
 * sent reconnects to the other edge node with its last seq and gets every missed message (from the
 * history store, flagged recovered), then room-recovered, then live messages: all in seq order,
 * none twice, none missing across the seam. Runs on a deployment of its own with the rate limits
 * lifted (ParleyCluster.bulk), so one sender can send them.
 */
@ExtendWith(ParleyStackExtension.class)
class ResumeIT {
    static final int MISSED = 10_000;
    static final int LIVE = 300;
    private static ParleyCluster parley;

    @BeforeAll
    static void start(TestStack stack) {
        parley = ParleyCluster.bulk(stack);
    }

    @AfterAll
    static void stop() {
        if (parley != null) {
            parley.close();
        }
    }

    @Test
    void aNativeClientOfflineDuring10000MessagesResumesOnTheOtherEdgeNode() throws Exception {
        String room = TestStack.uniqueName("resume");
        String reader = TestStack.uniqueName("reader");
        String sender = TestStack.uniqueName("sender");
        long lastSeq;
        try (WsClient first = parley.connect(reader, 1)) {
            assertOk(first.request("join-room", data("roomId", room)));
            try (WsClient s = parley.connect(sender, 2)) {
                assertOk(s.request("join-room", data("roomId", room)));
                assertOk(s.request("send-message", data("roomId", room, "content", "before")));
            }
            lastSeq = first.nextEvent(e -> "new-message".equals(e.path("event").asText()))
                    .path("data").path("seq").asLong();
        }

        try (WsClient s = parley.connect(sender, 1)) {
            assertOk(s.request("join-room", data("roomId", room)));
            List<Long> missed = sendMany(s, room, "missed", MISSED);

            try (WsClient resumed = parley.connect(reader, 2)) {
                ObjectNode join = data("roomId", room);
                join.put("lastSeq", lastSeq);
                CompletableFuture<JsonNode> ack = resumed.requestAsync("join-room", join);
                List<Long> live = sendMany(s, room, "live", LIVE); // sent while the resume catches up
                JsonNode joined = ack.get(WsClient.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                assertOk(joined);
                assertThat(joined.path("data").path("recovering").asBoolean()).as("join ack %s", joined).isTrue();
                assertThat(joined.path("data").path("roomId").asText()).isEqualTo(room);

                List<Long> expected = new ArrayList<>(missed);
                expected.addAll(live);
                assertSeam(resumed, room, lastSeq, expected, missed.getLast());
            }
        }
    }

    @Test
    void resumeRejoinsSeveralRoomsWithOneAck() throws Exception {
        String roomA = TestStack.uniqueName("resume-a");
        String roomB = TestStack.uniqueName("resume-b");
        String reader = TestStack.uniqueName("reader");
        String sender = TestStack.uniqueName("sender");
        try (WsClient first = parley.connect(reader, 2)) {
            assertOk(first.request("join-room", data("roomId", roomA)));
            assertOk(first.request("join-room", data("roomId", roomB)));
        }
        List<Long> inA;
        List<Long> inB;
        try (WsClient s = parley.connect(sender, 2)) {
            assertOk(s.request("join-room", data("roomId", roomA)));
            assertOk(s.request("join-room", data("roomId", roomB)));
            inA = sendMany(s, roomA, "a", 40);
            inB = sendMany(s, roomB, "b", 25);
        }
        try (WsClient resumed = parley.connect(reader, 1)) {
            ObjectNode rooms = Json.MAPPER.createObjectNode();
            rooms.put(roomA, 0);
            rooms.put(roomB, inB.get(9)); // the first ten of B were read
            ObjectNode resume = Json.MAPPER.createObjectNode();
            resume.set("rooms", rooms);
            JsonNode ack = resumed.request("resume", resume);
            assertOk(ack);
            JsonNode acked = ack.path("data").path("rooms");
            assertThat(acked).hasSize(2);
            assertThat(acked.get(0).path("roomId").asText()).isEqualTo(roomA);
            assertThat(acked.get(1).path("roomId").asText()).isEqualTo(roomB);
            assertThat(acked.get(0).path("recovering").asBoolean()).isTrue();
            assertThat(acked.get(1).path("recovering").asBoolean()).isTrue();

            List<Long> gotA = new ArrayList<>();
            List<Long> gotB = new ArrayList<>();
            Set<String> recovered = new HashSet<>();
            while (recovered.size() < 2) {
                JsonNode event = resumed.nextEvent();
                String name = event.path("event").asText();
                String roomId = event.path("data").path("roomId").asText();
                if ("new-message".equals(name)) {
                    assertThat(recovered).as("a recovered message after room-recovered").doesNotContain(roomId);
                    assertThat(event.path("data").path("recovered").asBoolean()).isTrue();
                    (roomId.equals(roomA) ? gotA : gotB).add(event.path("data").path("seq").asLong());
                } else if ("room-recovered".equals(name)) {
                    assertThat(event.path("data").path("truncated").asBoolean()).as("%s", event).isFalse();
                    recovered.add(roomId);
                }
            }
            assertThat(gotA).containsExactlyElementsOf(inA);
            assertThat(gotB).containsExactlyElementsOf(inB.subList(10, inB.size()));
        }
    }

    @Test
    void theStockSocketIoClientRecoversItsSessionOnTheOtherEdgeNode() throws Exception {
        String room = TestStack.uniqueName("sio-resume");
        String reader = TestStack.uniqueName("sio-reader");
        String sender = TestStack.uniqueName("sender");
        List<Integer> edges = parley.services.config().edgePorts();
        try (TcpSwitch balancer = TcpSwitch.to(edges.get(0));
             NodeSioClient sio = NodeSioClient.start("http://127.0.0.1:" + balancer.port(), parley.token(reader),
                     List.of("websocket"));
             WsClient s = parley.connect(sender, 2)) {
            assertThat(sio.next("connect").path("recovered").asBoolean()).isFalse();
            assertThat(sio.request("join-room", room).path("success").asBoolean()).isTrue();
            assertOk(s.request("join-room", data("roomId", room)));
            assertOk(s.request("send-message", data("roomId", room, "content", "before")));
            JsonNode before = sio.nextEvent("new-message").path("args");
            long lastSeq = before.path(0).path("seq").asLong();
            // Socket.IO v4.6+: the offset is the last argument of the event packet.
            assertThat(before.path(1).asText()).isEqualTo(room + ":" + lastSeq);

            balancer.cut(); // the network drops; edge 1 keeps the session in Redis
            sio.next("disconnect");
            List<Long> missed = sendMany(s, room, "sio-missed", MISSED);

            balancer.pointAt(edges.get(1)); // the client's next attempt lands on edge 2
            JsonNode again = sio.next("connect");
            assertThat(again.path("recovered").asBoolean()).as("socket.recovered after %s", again).isTrue();
            List<Long> live = sendMany(s, room, "sio-live", LIVE);

            List<Long> expected = new ArrayList<>(missed);
            expected.addAll(live);
            List<Long> got = new ArrayList<>();
            long previous = lastSeq;
            while (got.size() < expected.size()) {
                JsonNode line = sio.next(l -> "event".equals(l.path("type").asText()) || "disconnect".equals(l.path("type").asText()));
                assertThat(line.path("type").asText()).as("no disconnect while catching up").isEqualTo("event");
                if (!"new-message".equals(line.path("event").asText())) {
                    continue;
                }
                JsonNode message = line.path("args").path(0);
                long seq = message.path("seq").asLong();
                assertThat(seq).as("seq after %d (in order, none twice)", previous).isGreaterThan(previous);
                assertThat(line.path("args").path(1).asText()).isEqualTo(room + ":" + seq);
                previous = seq;
                got.add(seq);
            }
            assertThat(got).containsExactlyElementsOf(expected);
        }
    }

    /**
     * Reads {@code resumed}'s events until every expected message arrived: missed ones flagged
     * recovered, then room-recovered (not truncated, covering at least the missed ones), then live
     * ones; every new-message seq strictly increasing (in order, none twice), none missing.
     */
    static void assertSeam(WsClient resumed, String room, long lastSeq, List<Long> expected, long lastMissed) {
        List<Long> got = new ArrayList<>();
        JsonNode recoveredEvent = null;
        long previous = lastSeq;
        long deadline = System.nanoTime() + 5 * WsClient.PATIENCE.toNanos();
        while (got.size() < expected.size() && System.nanoTime() < deadline) {
            JsonNode event = resumed.nextEvent();
            String name = event.path("event").asText();
            JsonNode data = event.path("data");
            if ("room-recovered".equals(name)) {
                assertThat(recoveredEvent).as("room-recovered twice").isNull();
                recoveredEvent = event;
                assertThat(data.path("roomId").asText()).isEqualTo(room);
                assertThat(data.path("fromSeq").asLong()).isEqualTo(lastSeq + 1);
                assertThat(data.path("toSeq").asLong()).isGreaterThanOrEqualTo(lastMissed);
                assertThat(data.path("truncated").asBoolean()).as("%s", event).isFalse();
            } else if ("new-message".equals(name) && room.equals(data.path("roomId").asText())) {
                long seq = data.path("seq").asLong();
                assertThat(seq).as("seq after %d (in order, none twice)", previous).isGreaterThan(previous);
                previous = seq;
                got.add(seq);
                boolean recovered = data.path("recovered").asBoolean(false);
                assertThat(recovered).as("message %d: recovered iff before room-recovered", seq)
                        .isEqualTo(recoveredEvent == null);
                if (recoveredEvent != null) {
                    assertThat(seq).isGreaterThan(recoveredEvent.path("data").path("toSeq").asLong());
                }
            }
        }
        assertThat(recoveredEvent).as("room-recovered").isNotNull();
        assertThat(got).containsExactlyElementsOf(expected);
    }

    /** Sends {@code count} messages, up to 200 in flight, and returns their seqs in ack order (= seq order). */
    static List<Long> sendMany(WsClient sender, String room, String prefix, int count) throws Exception {
        List<Long> seqs = new ArrayList<>(count);
        List<CompletableFuture<JsonNode>> window = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            window.add(sender.requestAsync("send-message", data("roomId", room, "content", prefix + " " + i,
                    "clientMsgId", prefix + "-" + i)));
            if (window.size() == 200 || i == count - 1) {
                for (CompletableFuture<JsonNode> pending : window) {
                    JsonNode reply = pending.get(WsClient.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                    assertOk(reply);
                    seqs.add(reply.path("data").path("seq").asLong());
                }
                window.clear();
            }
        }
        assertThat(seqs).doesNotHaveDuplicates();
        seqs.sort(null);
        return seqs;
    }
}
