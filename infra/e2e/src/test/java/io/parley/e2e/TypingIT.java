/*
 * TypingIT owns the end-to-end proof of typing indicators on the real stack (every service in its
 * own process, two edge nodes): typing-start reaches the other members on both nodes and never the
 * typist; a refresh is not re-broadcast; without a refresh the stop arrives by itself, not before
 * the configured timeout (ParleyCluster.TYPING_TIMEOUT_MS); a message from the typist stops it at
 * once (the stop follows the message); a disconnect stops it; non-members and bad rooms are refused.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class TypingIT {
    private static final Duration TIMEOUT = Duration.ofMillis(ParleyCluster.TYPING_TIMEOUT_MS);
    /** A correctness deadline for the automatic stop on a loaded machine, not a latency measurement. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static Predicate<JsonNode> event(String name, String user) {
        return e -> name.equals(e.path("event").asText()) && user.equals(e.path("data").path("userId").asText());
    }

    private static Predicate<JsonNode> typingEvent(String user) {
        return e -> e.path("event").asText().contains("typing") && user.equals(e.path("data").path("userId").asText());
    }

    /** Every event up to and including the first that matches {@code until}. */
    private static List<JsonNode> eventsUntil(WsClient client, Predicate<JsonNode> until) {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = client.nextEvent();
            seen.add(event);
            if (until.test(event)) {
                return seen;
            }
        }
        throw new AssertionError("no matching event within " + BOUND + "; saw " + seen);
    }

    private static long count(List<JsonNode> events, Predicate<JsonNode> which) {
        return events.stream().filter(which).count();
    }

    @Test
    void typingReachesTheOthersOnBothNodesNotTheTypistAndStopsByItselfAfterTheTimeout(ParleyCluster parley) {
        String room = TestStack.uniqueName("typing");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        String carol = TestStack.uniqueName("carol");
        try (WsClient a = parley.connect(alice, 1); WsClient b = parley.connect(bob, 2); WsClient c = parley.connect(carol, 1)) {
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(b.request("join-room", data("roomId", room)));
            assertOk(c.request("join-room", data("roomId", room)));

            long startedAt = System.nanoTime();
            assertOk(a.request("typing-start", data("roomId", room)));
            assertOk(a.request("typing-start", data("roomId", room))); // a refresh: not news
            JsonNode typing = b.nextEvent(event("user-typing", alice));
            assertThat(typing.path("data").path("roomId").asText()).isEqualTo(room);
            c.nextEvent(event("user-typing", alice)); // carol shares alice's edge node and still gets it

            // No refresh: the stop comes by itself, and not before the timeout.
            List<JsonNode> bobSaw = eventsUntil(b, event("user-stopped-typing", alice));
            assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isGreaterThanOrEqualTo(TIMEOUT);
            assertThat(count(bobSaw, event("user-typing", alice))).as("refresh re-broadcast: %s", bobSaw).isZero();
            c.nextEvent(event("user-stopped-typing", alice));

            // Alice's own socket got neither (her message is the marker: it follows them on the same path).
            assertOk(a.request("send-message", data("roomId", room, "content", "marker")));
            List<JsonNode> aliceSaw = eventsUntil(a, e -> "new-message".equals(e.path("event").asText()));
            assertThat(count(aliceSaw, typingEvent(alice))).as("typist saw own typing: %s", aliceSaw).isZero();
        }
    }

    @Test
    void aMessageFromTheTypistStopsTypingAtOnceAndADisconnectToo(ParleyCluster parley) {
        String room = TestStack.uniqueName("typing");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        try (WsClient b = parley.connect(bob, 2)) {
            WsClient a = parley.connect(alice, 1);
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(b.request("join-room", data("roomId", room)));

            assertOk(a.request("typing-start", data("roomId", room)));
            b.nextEvent(event("user-typing", alice));
            assertOk(a.request("send-message", data("roomId", room, "content", "done typing")));
            b.nextEvent(e -> "new-message".equals(e.path("event").asText()));
            // The very next event is the stop, decided with the message (the timeout stop would come later).
            JsonNode next = b.nextEvent();
            assertThat(event("user-stopped-typing", alice).test(next)).as("after the message: %s", next).isTrue();

            assertOk(a.request("typing-start", data("roomId", room)));
            b.nextEvent(event("user-typing", alice));
            a.close();
            List<JsonNode> bobSaw = eventsUntil(b, event("user-stopped-typing", alice));
            assertThat(count(bobSaw, event("user-left", alice))).as("left before the stop: %s", bobSaw).isEqualTo(1);
        }
    }

    @Test
    void onlyMembersMayTypeAndABadRoomIsRefused(ParleyCluster parley) {
        String room = TestStack.uniqueName("typing");
        try (WsClient member = parley.connect(TestStack.uniqueName("bob"), 2);
             WsClient outsider = parley.connect(TestStack.uniqueName("mallory"), 1)) {
            assertOk(member.request("join-room", data("roomId", room)));
            JsonNode refused = outsider.request("typing-start", data("roomId", room));
            assertThat(refused.path("ok").asBoolean()).isFalse();
            assertThat(refused.path("error").path("code").asText()).isEqualTo("AUTHORIZATION_FAILED");
            JsonNode bad = outsider.request("typing-stop", data("roomId", "not a room"));
            assertThat(bad.path("error").path("code").asText()).isEqualTo("INVALID_ROOM");
            JsonNode noRoom = outsider.request("typing-start", data());
            assertThat(noRoom.path("error").path("code").asText()).isEqualTo("INVALID_ROOM");
        }
    }
}
