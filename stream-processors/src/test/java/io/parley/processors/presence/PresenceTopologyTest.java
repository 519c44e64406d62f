/*
 * PresenceTopologyTest owns the behavioural checks of the presence and node-lease stages, run on
 * the whole processors topology in a TopologyTestDriver with a mocked wall clock: many devices on
 * many nodes, the grace period (no offline before it, none at all after a reconnect within it),
 * diffs only on real changes, custom status, idle -> away, the compacted presence topic, and an
 * edge node whose lease runs out (its connections dropped on the room side and the user side
 * while users also connected elsewhere stay online); a member's devices subscribed to the user's
 * rooms without a join (on connect, when another device joins, and when another user adds them:
 * add-member, create-room's members, open-direct's other user), until leave-room; the
 * per-user connection limit across nodes (the connection over it closed by its node, never counted).
 */
package io.parley.processors.presence;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.EventIds;
import io.parley.contracts.Topic;
import io.parley.contracts.event.Delivery;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.UserEvent;
import io.parley.contracts.event.UserPresence;
import io.parley.contracts.json.Serdes;
import io.parley.contracts.wire.Protocol;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PresenceTopologyTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long GRACE = 5_000;
    private static final long IDLE = 60_000;
    private static final long LEASE = 3_000;
    private static final String ROOM = "lobby";
    private static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of(
            "PARLEY_TOPIC_NAMESPACE", "test.", "PARLEY_PRESENCE_GRACE_MS", Long.toString(GRACE),
            "PARLEY_PRESENCE_IDLE_MS", Long.toString(IDLE), "PARLEY_PRESENCE_TICK_MS", "100"));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private long clock = T0; // the driver's wall clock: heartbeats are stamped with it (as the broker's append time would)
    private TestInputTopic<String, RoomCommand> commands;
    private TestInputTopic<String, UserEvent> userEvents;
    private TestInputTopic<String, EdgeHeartbeat> heartbeats;
    private TestOutputTopic<String, Delivery> deliveries;
    private TestOutputTopic<String, UserPresence> presence;

    @BeforeEach
    void start() {
        Properties props = Main.streamsProperties(CONFIG);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "presence-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(Main.topology(CONFIG), props, Instant.ofEpochMilli(T0));
        commands = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS), new StringSerializer(), Serdes.roomCommand());
        userEvents = driver.createInputTopic(CONFIG.topic(Topic.USER_EVENTS), new StringSerializer(), Serdes.userEvent());
        heartbeats = driver.createInputTopic(CONFIG.topic(Topic.EDGE_NODES), new StringSerializer(), Serdes.edgeHeartbeat());
        deliveries = driver.createOutputTopic(CONFIG.topic(Topic.DELIVERIES), new StringDeserializer(), Serdes.delivery());
        presence = driver.createOutputTopic(CONFIG.topic(Topic.PRESENCE), new StringDeserializer(), Serdes.userPresence());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // --- a user's connection: connect (user-events), join (room-commands), close (leave + disconnect) ---

    private void connect(String user, String conn, int edge) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, now(), new UserEvent.Connected()));
    }

    private void join(String user, String conn, int edge) {
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, user, "edge-" + edge, edge - 1, conn, "r", now(), new RoomCommand.Join()));
    }

    private void connectAs(String user, String conn, int edge, String username) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, now(),
                new UserEvent.Connected(username)));
    }

    private void online(String user, String conn, int edge) {
        connect(user, conn, edge);
        join(user, conn, edge);
    }

    private void close(String user, String conn, int edge) {
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, user, "edge-" + edge, edge - 1, conn, null, now(),
                new RoomCommand.Leave("disconnect")));
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-" + edge, edge - 1, conn, now(),
                new UserEvent.Disconnected("closed")));
    }

    private void set(String user, String conn, String status, String custom) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-1", 0, conn, now(), new UserEvent.PresenceSet(status, custom)));
    }

    private long now() {
        return T0; // the edge's timestamp; the processors time presence by their own wall clock
    }

    private void advance(long ms) {
        driver.advanceWallClockTime(Duration.ofMillis(ms));
        clock += ms;
    }

    /** The presence-update data delivered to edge node {@code edge} since the last call, about {@code user}. */
    private List<JsonNode> presenceUpdates(List<Delivery> all, int edge, String user) {
        List<JsonNode> out = new ArrayList<>();
        for (Delivery d : all) {
            if (d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.ToRoom t
                    && t.event().equals(Protocol.PRESENCE_UPDATE) && t.data().path("userId").asText().equals(user)) {
                assertThat(t.seq()).isZero();
                assertThat(d.edgeSlot()).isEqualTo(edge - 1);
                out.add(t.data());
            }
        }
        return out;
    }

    private List<JsonNode> events(List<Delivery> all, int edge, String event, String user) {
        List<JsonNode> out = new ArrayList<>();
        for (Delivery d : all) {
            if (d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.ToRoom t
                    && t.event().equals(event) && t.data().path("userId").asText().equals(user)) {
                out.add(t.data());
            }
        }
        return out;
    }

    private List<String> statuses(String user) {
        return presence.readValuesToList().stream().filter(p -> p.userId().equals(user)).map(UserPresence::status).toList();
    }

    // --- membership by user: a member's devices get the room without a join ---

    private List<Delivery> subscribes(List<Delivery> all, int edge) {
        return all.stream().filter(d -> d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.Subscribe).toList();
    }

    @Test
    void aMembersDevicesAreSubscribedWithoutAJoinWhenTheyConnectAndWhenAnotherDeviceJoins() {
        connect("alice", "a0", 2);      // a device open before alice joins the room
        online("bob", "b1", 1);
        online("alice", "a1", 1);       // her join subscribes her other device a0 too
        List<Delivery> out = deliveries.readValuesToList();
        assertThat(subscribes(out, 2)).extracting(Delivery::body).containsExactly(new Delivery.Subscribe("a0", ROOM, "alice"));

        connect("alice", "a2", 2);      // a device connected later, on the other node: no join
        out = deliveries.readValuesToList();
        assertThat(subscribes(out, 2)).extracting(Delivery::body).containsExactly(new Delivery.Subscribe("a2", ROOM, "alice"));
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, "bob", "edge-1", 0, "b1", "s", now(),
                new RoomCommand.Send(null, "hello", null)));
        assertThat(deliveries.readValuesToList()).filteredOn(d -> d.body() instanceof Delivery.ToRoom t
                && t.event().equals(Protocol.NEW_MESSAGE)).extracting(Delivery::edgeNodeId).containsExactly("edge-1", "edge-2");

        // Every device closes; the membership stays: her next connection is subscribed, no join needed.
        close("alice", "a0", 2);
        close("alice", "a1", 1);
        close("alice", "a2", 2);
        deliveries.readValuesToList();
        connect("alice", "a3", 2);
        assertThat(subscribes(deliveries.readValuesToList(), 2)).extracting(Delivery::body)
                .containsExactly(new Delivery.Subscribe("a3", ROOM, "alice"));

        // After leave-room, her next connection gets nothing of the room.
        commands.pipeInput(ROOM, new RoomCommand(EventIds.next(), ROOM, "alice", "edge-2", 1, "a3", "l", now(),
                new RoomCommand.Leave("client")));
        deliveries.readValuesToList();
        connect("alice", "a4", 1);
        assertThat(subscribes(deliveries.readValuesToList(), 1)).isEmpty();
    }

    private void command(String user, String conn, int edge, String room, RoomCommand.Body body) {
        commands.pipeInput(room, new RoomCommand(EventIds.next(), room, user, "edge-" + edge, edge - 1, conn, "r", now(), body));
    }

    /** The Subscribes of {@code user} to {@code edge}; the first of each connection only (a repeat is idempotent at the edge). */
    private static List<Delivery.Subscribe> subscribesOf(List<Delivery> all, int edge, String user) {
        Map<String, Delivery.Subscribe> first = new java.util.LinkedHashMap<>();
        all.stream().filter(d -> d.edgeNodeId().equals("edge-" + edge) && d.body() instanceof Delivery.Subscribe s
                && s.userId().equals(user)).forEach(d -> first.putIfAbsent(((Delivery.Subscribe) d.body()).connectionId(),
                (Delivery.Subscribe) d.body()));
        return List.copyOf(first.values());
    }

    private static List<Delivery> toRoom(List<Delivery> all, String room, String event) {
        return all.stream().filter(d -> d.body() instanceof Delivery.ToRoom t && t.roomId().equals(room)
                && t.event().equals(event)).toList();
    }

    @Test
    void anAddedMembersOpenConnectionsOnTwoNodesAreSubscribedAtOnceWithoutAJoin() {
        connect("alice", "a1", 1);
        command("alice", "a1", 1, "team", new RoomCommand.CreateRoom(null, null, "private", null, null));
        command("alice", "a1", 1, "team", new RoomCommand.Join());
        connect("bob", "b1", 1);
        connect("bob", "b2", 2);
        deliveries.readValuesToList();

        command("alice", "a1", 1, "team", new RoomCommand.AddMember("bob"));
        List<Delivery> out = deliveries.readValuesToList();
        // member-added went to the room (alice's node) before bob's connections were subscribed; then both are.
        assertThat(toRoom(out, "team", Protocol.MEMBER_ADDED)).extracting(Delivery::edgeNodeId).containsExactly("edge-1");
        // Each first Subscribe says what the connection missed: the member-added (seq 3, by alice) and what came after
        // it up to its subscription (seq 4: bob's member-joined), for the node to give it and recover the rest.
        assertThat(subscribesOf(out, 1, "bob")).containsExactly(new Delivery.Subscribe("b1", "team", "bob", 3L, 4L, "alice"));
        assertThat(subscribesOf(out, 2, "bob")).containsExactly(new Delivery.Subscribe("b2", "team", "bob", 3L, 4L, "alice"));
        // His first subscribed connection is his joining: alice's node hears user-joined (not his own sockets).
        assertThat(toRoom(out, "team", Protocol.USER_JOINED)).singleElement().satisfies(d -> {
            assertThat(((Delivery.ToRoom) d.body()).excludeUserId()).isEqualTo("bob");
            assertThat(((Delivery.ToRoom) d.body()).data().path("userId").asText()).isEqualTo("bob");
        });
        // Every Subscribe of a node is ordered before the room's next event on that node's partition: alice's message
        // reaches both of bob's nodes, once each.
        command("alice", "a1", 1, "team", new RoomCommand.Send(null, "welcome", null));
        assertThat(toRoom(deliveries.readValuesToList(), "team", Protocol.NEW_MESSAGE)).extracting(Delivery::edgeNodeId)
                .containsExactlyInAnyOrder("edge-1", "edge-2");
        // He is a member for the presence stage too: a device connecting later is subscribed as well.
        connect("bob", "b3", 2);
        assertThat(subscribesOf(deliveries.readValuesToList(), 2, "bob")).containsExactly(new Delivery.Subscribe("b3", "team", "bob"));
    }

    @Test
    void anAddedUserWithNoOpenConnectionGetsOnlyTheMembershipAndTheRoomOnTheirNextConnection() {
        connect("alice", "a1", 1);
        command("alice", "a1", 1, "team", new RoomCommand.CreateRoom(null, null, "private", null, null));
        command("alice", "a1", 1, "team", new RoomCommand.Join());
        deliveries.readValuesToList();
        presence.readValuesToList();

        command("alice", "a1", 1, "team", new RoomCommand.AddMember("carol"));
        List<Delivery> out = deliveries.readValuesToList();
        assertThat(out).noneMatch(d -> d.body() instanceof Delivery.Subscribe);
        assertThat(toRoom(out, "team", Protocol.USER_JOINED)).isEmpty();
        assertThat(presenceUpdates(out, 1, "carol")).isEmpty(); // not online: the room learns no presence of her
        assertThat(statuses("carol")).isEmpty();

        connect("carol", "c1", 2);
        out = deliveries.readValuesToList();
        assertThat(subscribesOf(out, 2, "carol")).containsExactly(new Delivery.Subscribe("c1", "team", "carol")); // as any member's
        assertThat(toRoom(out, "team", Protocol.USER_JOINED)).extracting(Delivery::edgeNodeId) // her own sockets excluded
                .containsExactlyInAnyOrder("edge-1", "edge-2");
    }

    @Test
    void createRoomsNamedMembersAndTheOtherUserOfANewDirectRoomAreSubscribedAtOnce() {
        connect("bob", "b1", 2);
        connect("carol", "c1", 1);
        command("alice", "a1", 1, "team", new RoomCommand.CreateRoom(null, null, "private", null, List.of("bob", "carol", "dave")));
        List<Delivery> out = deliveries.readValuesToList();
        // seq 1 room-created, 2-4 member-added (bob, carol, dave): bob's first subscription is member-joined 5, carol's 6.
        assertThat(subscribesOf(out, 2, "bob")).containsExactly(new Delivery.Subscribe("b1", "team", "bob", 2L, 5L, "alice"));
        assertThat(subscribesOf(out, 1, "carol")).containsExactly(new Delivery.Subscribe("c1", "team", "carol", 3L, 6L, "alice"));
        assertThat(out).noneMatch(d -> d.body() instanceof Delivery.Subscribe s && !Set.of("bob", "carol").contains(s.userId()));

        String direct = io.parley.contracts.DirectRooms.idOf("alice", "bob");
        command("alice", "a1", 1, direct, new RoomCommand.OpenDirect("bob"));
        out = deliveries.readValuesToList();
        assertThat(subscribesOf(out, 2, "bob")).containsExactly(new Delivery.Subscribe("b1", direct, "bob", 2L, 3L, "alice"));
        assertThat(out).noneMatch(d -> d.body() instanceof Delivery.Subscribe s && !s.userId().equals("bob"));
        // Found again (by bob): no new subscription.
        command("bob", "b1", 2, direct, new RoomCommand.OpenDirect("alice"));
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.Subscribe);
    }

    @Test
    void twoDevicesOnTwoNodesStayOnlineUntilBothCloseThenOfflineOnlyAfterTheGracePeriod() {
        online("bob", "b1", 2); // the observer, on edge-2
        online("alice", "a1", 1);
        online("alice", "a2", 2);
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(presenceUpdates(seen, 2, "alice")).first()
                .satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("online"));
        assertThat(statuses("alice")).containsExactly("online");

        close("alice", "a1", 1);
        advance(GRACE * 2);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty(); // still online on edge-2
        assertThat(statuses("alice")).isEmpty();

        close("alice", "a2", 2);
        advance(GRACE - 200);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty(); // not before the grace period
        advance(400);
        List<JsonNode> offline = presenceUpdates(deliveries.readValuesToList(), 2, "alice");
        assertThat(offline).hasSize(1);
        assertThat(offline.getFirst().path("status").asText()).isEqualTo("offline");
        assertThat(offline.getFirst().path("roomId").asText()).isEqualTo(ROOM);
        assertThat(offline.getFirst().path("lastSeen").asLong()).isEqualTo(T0 + GRACE * 2); // when a2 closed
        assertThat(statuses("alice")).containsExactly("offline");
    }

    @Test
    void coMembersGetSeed004sUserOnlineAndUserOfflineButNotTheUsersOwnSockets() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        List<Delivery> seen = deliveries.readValuesToList();
        List<JsonNode> online = events(seen, 2, Protocol.USER_ONLINE, "alice");
        assertThat(online).hasSize(1);
        assertThat(online.getFirst().path("username").asText()).isEqualTo("alice");
        assertThat(online.getFirst().path("roomId").asText()).isEqualTo(ROOM);
        for (Delivery d : seen) {
            if (d.body() instanceof Delivery.ToRoom t && t.event().equals(Protocol.USER_ONLINE)) {
                assertThat(t.excludeUserId()).isEqualTo(t.data().path("userId").asText());
                assertThat(t.seq()).isZero();
            }
        }
        close("alice", "a1", 1);
        advance(GRACE + 400);
        List<JsonNode> offline = events(deliveries.readValuesToList(), 2, Protocol.USER_OFFLINE, "alice");
        assertThat(offline).singleElement().satisfies(d -> assertThat(d.path("roomId").asText()).isEqualTo(ROOM));

        // A token with a name claim: user-online carries it (seed 004: {userId, username}).
        connectAs("carol", "c1", 1, "Carol C.");
        join("carol", "c1", 1);
        assertThat(events(deliveries.readValuesToList(), 2, Protocol.USER_ONLINE, "carol"))
                .singleElement().satisfies(d -> assertThat(d.path("username").asText()).isEqualTo("Carol C."));
    }

    @Test
    void aReconnectWithinTheGracePeriodEmitsNoOfflineAndNoOnline() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        presence.readValuesToList();

        close("alice", "a1", 1);
        advance(GRACE / 2);
        online("alice", "a3", 1);
        advance(GRACE * 3);
        List<Delivery> seen = deliveries.readValuesToList();
        assertThat(presenceUpdates(seen, 2, "alice")).allSatisfy(d ->
                assertThat(d.path("status").asText()).isNotEqualTo("offline"));
        assertThat(presenceUpdates(seen, 2, "alice")).noneSatisfy(d -> assertThat(d.has("lastSeen")).isTrue());
        assertThat(statuses("alice")).isEmpty();
        // Membership is by connection: the room itself saw alice leave and join again.
        assertThat(events(seen, 2, Protocol.USER_LEFT, "alice")).hasSize(1);
        assertThat(events(seen, 2, Protocol.USER_JOINED, "alice")).hasSize(1);
    }

    @Test
    void statusAndCustomTextTravelAsDiffsOnlyWhenTheyChange() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        set("alice", "a1", "busy", "in a meeting");
        List<JsonNode> first = presenceUpdates(deliveries.readValuesToList(), 2, "alice");
        assertThat(first).hasSize(1);
        assertThat(first.getFirst().path("status").asText()).isEqualTo("busy");
        assertThat(first.getFirst().path("customStatus").asText()).isEqualTo("in a meeting");

        set("alice", "a1", "busy", "in a meeting"); // no change: nothing
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();

        set("alice", "a1", null, ""); // clear the text only: a diff without status
        List<JsonNode> cleared = presenceUpdates(deliveries.readValuesToList(), 2, "alice");
        assertThat(cleared).hasSize(1);
        assertThat(cleared.getFirst().has("status")).isFalse();
        assertThat(cleared.getFirst().path("customStatus").asText()).isEmpty();

        set("alice", "a1", "offline", null); // not choosable: ignored
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();
        assertThat(presence.readValuesToList()).last().satisfies(p -> {
            assertThat(p.status()).isEqualTo("busy");
            assertThat(p.customStatus()).isNull();
        });
    }

    @Test
    void anIdleOnlineUserTurnsAwayAndBackOnActivity() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        advance(IDLE - 1_000);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();
        advance(2_000);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice"))
                .singleElement().satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("away"));
        userEvents.pipeInput("alice", new UserEvent(EventIds.next(), "alice", "edge-1", 0, "a1", now(), new UserEvent.MessageAttempt(ROOM)));
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice"))
                .singleElement().satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("online"));
    }

    @Test
    void aMessageSoonAfterTheLastRememberedActivityWritesNothingAndOneLaterMovesTheIdleTimer() {
        online("bob", "b1", 2);
        online("alice", "a1", 1);
        deliveries.readValuesToList();
        advance(IDLE / 2);
        message("alice");                       // remembered: the idle timer moves to now + IDLE
        Map<String, PresenceEntry> before = presenceStore();
        advance(IDLE / 60 - 1);                  // within the resolution (1/10 of the idle time)
        message("alice");
        assertThat(presenceStore()).isEqualTo(before);
        advance(IDLE - IDLE / 60 - 1_000);       // IDLE - 1 s after the remembered message
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice")).isEmpty();
        advance(2_000);
        assertThat(presenceUpdates(deliveries.readValuesToList(), 2, "alice"))
                .singleElement().satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("away"));
    }

    private void message(String user) {
        userEvents.pipeInput(user, new UserEvent(EventIds.next(), user, "edge-1", 0, user.charAt(0) + "1", now(),
                new UserEvent.MessageAttempt(ROOM)));
    }

    private Map<String, PresenceEntry> presenceStore() {
        Map<String, PresenceEntry> entries = new java.util.TreeMap<>();
        try (var it = driver.<String, PresenceEntry>getKeyValueStore(io.parley.processors.Stores.PRESENCE_STATE).all()) {
            it.forEachRemaining(kv -> entries.put(kv.key, kv.value));
        }
        return entries;
    }

    @Test
    void aDeadEdgeNodesUsersGoOfflineAfterLeaseAndGraceWhileUsersAlsoElsewhereStayOnline() {
        beat(1);
        beat(2);
        online("bob", "b1", 2);     // observer on the surviving node
        online("alice", "a1", 1);   // only on edge-1
        online("carol", "c1", 1);   // on both
        online("carol", "c2", 2);
        deliveries.readValuesToList();
        presence.readValuesToList();

        // edge-1 stops beating (SIGKILL: no leave, no disconnect); edge-2 goes on.
        for (int i = 0; i < 4; i++) { // 4 s: past the 3 s lease, within the 5 s grace that follows
            advance(LEASE / 3);
            beat(2);
        }
        List<Delivery> afterLease = deliveries.readValuesToList();
        assertThat(events(afterLease, 2, Protocol.USER_LEFT, "alice")).hasSize(1);   // room side: its connections left
        assertThat(events(afterLease, 2, Protocol.USER_LEFT, "carol")).isEmpty();    // carol is still in through edge-2
        assertThat(presenceUpdates(afterLease, 2, "alice")).isEmpty();               // user side: grace period running

        for (int i = 0; i < 8; i++) {
            advance(LEASE / 3);
            beat(2);
        }
        List<Delivery> afterGrace = deliveries.readValuesToList();
        assertThat(presenceUpdates(afterGrace, 2, "alice")).singleElement()
                .satisfies(d -> assertThat(d.path("status").asText()).isEqualTo("offline"));
        assertThat(presenceUpdates(afterGrace, 2, "carol")).isEmpty();
        List<UserPresence> changes = presence.readValuesToList();
        assertThat(changes).extracting(UserPresence::userId).containsExactly("alice");
    }

    @Test
    void aConnectionOverThePerUserLimitAcrossNodesIsClosedByItsNodeAndNeverCounted() {
        int limit = CONFIG.maxConnectionsPerUser();
        assertThat(limit).isEqualTo(20);
        online("bob", "b1", 1);
        for (int i = 1; i <= limit; i++) {
            online("alice", "a" + i, 1 + i % 2); // both nodes
        }
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.ConnectionLimit);
        assertThat(statuses("alice")).containsExactly(Protocol.ONLINE);

        connect("alice", "a-over", 2);
        connect("alice", "a1", 2); // a replayed connected of a counted connection is not a new one
        List<Delivery> out = deliveries.readValuesToList();
        assertThat(out).filteredOn(d -> d.body() instanceof Delivery.ConnectionLimit)
                .containsExactly(new Delivery("edge-2", 1, new Delivery.ConnectionLimit("a-over", "alice", limit)));
        assertThat(subscribes(out, 2)).extracting(Delivery::body) // not subscribed to her rooms either
                .noneMatch(b -> ((Delivery.Subscribe) b).connectionId().equals("a-over"));
        connect("carol", "c1", 2); // another user is not limited by alice's count
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.ConnectionLimit);

        // Its node closes it: its disconnect changes nothing, and she stays online on the others.
        close("alice", "a-over", 2);
        for (int i = 1; i < limit; i++) {
            close("alice", "a" + i, 1 + i % 2);
        }
        advance(GRACE + 1_000);
        assertThat(statuses("alice")).isEmpty(); // one connection (a20) left: still online, nothing published
        // Now under the limit: a new connection is accepted.
        connect("alice", "a-new", 1);
        assertThat(deliveries.readValuesToList()).noneMatch(d -> d.body() instanceof Delivery.ConnectionLimit);
        close("alice", "a" + limit, 1 + limit % 2);
        close("alice", "a-new", 1);
        advance(GRACE + 1_000);
        assertThat(statuses("alice")).containsExactly(Protocol.OFFLINE); // exact: offline once all counted ones are gone
    }

    private void beat(int edge) {
        heartbeats.pipeInput("edge-" + edge, new EdgeHeartbeat("edge-" + edge, edge - 1, now(), LEASE, 1), clock);
    }
}
