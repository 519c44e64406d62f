/*
 * PresenceIT owns the end-to-end proof of presence on the real stack, every service in its own
 * process: one user on two devices on two edge nodes (online while either is open; offline only
 * after the grace period; no offline at all after a reconnect within it); get-online-users
 * answered from the Redis view, which comes back after FLUSHALL; and a SIGKILLed edge node whose
 * users appear offline to their room co-members within lease + grace + a documented bound, while
 * users also connected to the other node stay online. The killed node is started again at the end.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PresenceIT {
    private static final Duration GRACE = Duration.ofMillis(ParleyCluster.GRACE_MS);
    private static final Duration LEASE = Duration.ofMillis(ParleyCluster.LEASE_MS);
    /**
     * The documented bound (docs/architecture.md, presence) on top of lease + grace: two punctuator
     * ticks, two Kafka hops and the heartbeat period, about 2.5 s here; 30 s leaves room for a
     * loaded 2-core CI machine (a SIGKILL and a restart under way). A correctness deadline, not a
     * latency measurement: the time taken is printed.
     */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private static Predicate<JsonNode> presence(String user, String status) {
        return e -> "presence-update".equals(e.path("event").asText())
                && user.equals(e.path("data").path("userId").asText())
                && status.equals(e.path("data").path("status").asText());
    }

    @Test
    @Order(1)
    void oneUserOnTwoDevicesOnTwoNodesIsOfflineOnlyAfterBothCloseAndTheGracePeriod(ParleyCluster parley) {
        String room = TestStack.uniqueName("presence");
        String alice = TestStack.uniqueName("alice");
        try (WsClient bob = parley.connect(TestStack.uniqueName("bob"), 2)) {
            assertOk(bob.request("join-room", data("roomId", room)));
            WsClient a1 = parley.connect(alice, 1);
            WsClient a2 = parley.connect(alice, 2);
            assertOk(a1.request("join-room", data("roomId", room)));
            assertOk(a2.request("join-room", data("roomId", room)));
            bob.nextEvent(presence(alice, "online"));

            a1.close(); // one device gone: still online, for longer than the grace period
            assertThat(bob.pollEvent(presence(alice, "offline"), GRACE.plusSeconds(2))).isNull();

            long closedAt = System.nanoTime();
            a2.close(); // both gone: offline, but not before the grace period
            bob.nextEvent(presence(alice, "offline"));
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(GRACE);

            WsClient a3 = parley.connect(alice, 1);
            assertOk(a3.request("join-room", data("roomId", room)));
            bob.nextEvent(presence(alice, "online"));
            a3.close();
            try (WsClient a4 = parley.connect(alice, 2)) { // reconnect within the grace period
                assertOk(a4.request("join-room", data("roomId", room)));
                assertThat(bob.pollEvent(presence(alice, "offline"), GRACE.plusSeconds(2))).isNull();
            }
        }
    }

    @Test
    @Order(2)
    void getOnlineUsersIsAnsweredFromRedisAndTheViewComesBackAfterFlushall(ParleyCluster parley) {
        String room = TestStack.uniqueName("online");
        String alice = TestStack.uniqueName("alice");
        String bob = TestStack.uniqueName("bob");
        try (WsClient a = parley.connect(alice, 1); WsClient b = parley.connect(bob, 2);
             RedisClient redisClient = RedisClient.create(parley.stack.redisUrl());
             StatefulRedisConnection<String, String> redis = redisClient.connect()) {
            assertOk(a.request("join-room", data("roomId", room)));
            assertOk(b.request("join-room", data("roomId", room)));
            assertOk(a.request("update-presence", data("status", "busy", "customStatus", "in a meeting")));
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                JsonNode users = onlineUsers(b, room);
                assertThat(userIds(users)).containsExactlyInAnyOrder(alice, bob);
                assertThat(find(users, alice).path("status").asText()).isEqualTo("busy");
                assertThat(find(users, alice).path("customStatus").asText()).isEqualTo("in a meeting");
            });

            // Answered from Redis: what is written there (and nowhere else) is what the edge answers.
            String ghost = TestStack.uniqueName("ghost");
            redis.sync().hset(parley.topicNamespace + "presence:" + ghost, java.util.Map.of("status", "dnd", "lastSeen", "1"));
            redis.sync().sadd(parley.topicNamespace + "room-online:" + room, ghost);
            assertThat(userIds(onlineUsers(a, room))).contains(ghost);

            redis.sync().flushall();
            await().atMost(WsClient.PATIENCE).untilAsserted(() -> {
                JsonNode users = onlineUsers(a, room);
                assertThat(userIds(users)).containsExactlyInAnyOrder(alice, bob); // rebuilt from the processors' state
                assertThat(find(users, alice).path("status").asText()).isEqualTo("busy");
            });
        }
    }

    @Test
    @Order(3)
    void aSigkilledEdgeNodesUsersGoOfflineForTheirCoMembersWhileUsersAlsoOnTheOtherNodeStayOnline(ParleyCluster parley) {
        String room = TestStack.uniqueName("crash");
        String alice = TestStack.uniqueName("alice"); // only on edge 2, which dies
        String carol = TestStack.uniqueName("carol"); // on both nodes
        try (WsClient bob = parley.connect(TestStack.uniqueName("bob"), 1);
             WsClient a = parley.connect(alice, 2);
             WsClient c1 = parley.connect(carol, 1);
             WsClient c2 = parley.connect(carol, 2)) {
            assertOk(bob.request("join-room", data("roomId", room)));
            for (WsClient client : List.of(a, c1, c2)) {
                assertOk(client.request("join-room", data("roomId", room)));
            }
            bob.nextEvent(presence(alice, "online"));
            bob.nextEvent(presence(carol, "online"));

            long killedAt = System.nanoTime();
            parley.services.killEdge(1);
            List<JsonNode> seen = new ArrayList<>();
            JsonNode offline = bob.pollEvent(e -> {
                seen.add(e);
                return presence(alice, "offline").test(e);
            }, LEASE.plus(GRACE).plus(BOUND));
            Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
            assertThat(offline).as("alice offline for bob within lease + grace + bound; saw " + seen).isNotNull();
            System.out.println("[presence-e2e] SIGKILL -> co-member sees offline after " + took.toMillis()
                    + " ms (lease " + LEASE.toMillis() + " + grace " + GRACE.toMillis() + ")");
            assertThat(took).isGreaterThanOrEqualTo(GRACE);
            assertThat(seen).noneMatch(presence(carol, "offline"));
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(userIds(onlineUsers(bob, room))).contains(carol).doesNotContain(alice));
        } finally {
            parley.services.restartEdge(1);
        }
    }

    private static JsonNode onlineUsers(WsClient client, String room) {
        JsonNode reply = client.request("get-online-users", data("roomId", room));
        assertOk(reply);
        return reply.path("data").path("users");
    }

    private static List<String> userIds(JsonNode users) {
        List<String> ids = new ArrayList<>();
        users.forEach(u -> ids.add(u.path("userId").asText()));
        return ids;
    }

    private static JsonNode find(JsonNode users, String userId) {
        for (JsonNode user : users) {
            if (userId.equals(user.path("userId").asText())) {
                return user;
            }
        }
        throw new AssertionError(userId + " not in " + users);
    }
}
