/*
 * RoomStateReplayTest owns the TopologyTestDriver proof that room-events carry the room stage's
 * rooms-as-objects state: after a run of create / join / add / set-role / mute / remove / update / leave
 * (a muted member's leave and return) /
 * open-direct / delete / messages, the events folded into empty state (RoomEventsFold) equal the
 * store's rooms, members, roles, muted flags, idle timers and heads; and a second room stage with
 * empty state, given the same commands, emits the same events and ends with the same state.
 */
package io.parley.processors.room;

import io.parley.contracts.DirectRooms;
import io.parley.contracts.EventIds;
import io.parley.contracts.Topic;
import io.parley.contracts.event.RoomCommand;
import io.parley.contracts.event.RoomEvent;
import io.parley.contracts.json.Serdes;
import io.parley.processors.Main;
import io.parley.processors.ProcessorsConfig;
import io.parley.processors.Stores;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class RoomStateReplayTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final ProcessorsConfig CONFIG = ProcessorsConfig.from(Map.of("PARLEY_TOPIC_NAMESPACE", "test."));

    @TempDir
    Path first;
    @TempDir
    Path second;

    /** A run touching every rooms-as-objects rule, over several rooms (one of each kind). */
    static List<RoomCommand> scenario(long t0) {
        List<RoomCommand> commands = new ArrayList<>();
        long[] clock = {t0};
        record C(String user, String room, RoomCommand.Body body) {}
        List<C> steps = List.of(
                new C("alice", "team", new RoomCommand.CreateRoom("Team", "us", "private", 10, List.of("bob", "carol"))),
                new C("alice", "team", new RoomCommand.Join()),
                new C("bob", "team", new RoomCommand.Join()),
                new C("alice", "team", new RoomCommand.SetRole("bob", "admin")),
                new C("bob", "team", new RoomCommand.MuteMember("carol")),
                new C("alice", "team", new RoomCommand.SetRole("carol", "admin")), // stays muted
                new C("alice", "team", new RoomCommand.Send(null, "hi", null)),
                new C("bob", "team", new RoomCommand.UpdateRoom("Team 2", null, 5)),
                new C("mallory", "team", new RoomCommand.UpdateRoom("Mine", null, null)), // refused
                new C("bob", "team", new RoomCommand.AddMember("dave")),
                new C("dave", "team", new RoomCommand.Join()),
                new C("alice", "team", new RoomCommand.MuteMember("dave")),
                new C("dave", "team", new RoomCommand.Leave("client")), // ends dave's membership; his mute is kept
                new C("bob", "team", new RoomCommand.AddMember("dave")), // a member again, muted
                new C("erin", "town", new RoomCommand.CreateRoom(null, null, "public", null, null, 3_600_000L)),
                new C("frank", "town", new RoomCommand.Join()), // a newcomer becomes a member
                new C("frank", "town", new RoomCommand.Send(null, "hello", null)), // moves the idle timer
                new C("erin", "town", new RoomCommand.UnmuteMember("frank")), // ack only
                new C("erin", "town", new RoomCommand.MuteMember("frank")),
                new C("erin", "town", new RoomCommand.RemoveMember("frank")), // the muted flag goes with the membership
                new C("frank", "town", new RoomCommand.Join()), // a member again, not muted
                new C("frank", "town", new RoomCommand.Send(null, "back", null)),
                new C("erin", "town", new RoomCommand.MuteMember("frank")),
                new C("frank", "town", new RoomCommand.Leave("client")), // left muted: the mute is kept (l|)
                new C("frank", "town", new RoomCommand.Join()), // a member again, still muted
                new C("frank", "town", new RoomCommand.Send(null, "muted", null)), // refused
                new C("frank", "town", new RoomCommand.Leave("client")),
                new C("erin", "town", new RoomCommand.UnmuteMember("frank")), // of a user who left muted: the mark goes
                new C("jill", "town", new RoomCommand.Join()),
                new C("erin", "town", new RoomCommand.MuteMember("jill")),
                new C("jill", "town", new RoomCommand.Leave("client")), // the mark stays
                new C("alice", "team", new RoomCommand.RemoveMember("carol")), // a muted admin, removed by the owner
                new C("gina", "lobby", new RoomCommand.Join()), // a room made by a join: no settings
                new C("gina", "lobby", new RoomCommand.Send(null, "plain", null)),
                new C("hank", "lobby", new RoomCommand.Join()), // membership by user in a room made by a join
                new C("hank", "lobby", new RoomCommand.Leave("client")),
                new C("alice", DirectRooms.idOf("alice", "bob"), new RoomCommand.OpenDirect("bob")),
                new C("bob", DirectRooms.idOf("alice", "bob"), new RoomCommand.OpenDirect("alice")),
                new C("hal", "gone", new RoomCommand.CreateRoom("Gone", null, "public", null, List.of("ivy"))),
                new C("ivy", "gone", new RoomCommand.DeleteRoom(null)), // refused: not the owner
                new C("hal", "gone", new RoomCommand.DeleteRoom(null)),
                new C("ivy", "gone", new RoomCommand.Join()), // refused: deleted
                new C("hal", "gone", new RoomCommand.Leave("disconnect"))); // a deleted room's leave: no event
        for (C step : steps) {
            clock[0] += 11;
            commands.add(new RoomCommand(EventIds.next(), step.room(), step.user(), "edge-1", 0, "c-" + step.user(),
                    "r-" + commands.size(), clock[0], step.body()));
        }
        return commands;
    }

    record Run(List<RoomEvent> events, Map<String, Object> state) {}

    static Run run(Path stateDir, List<RoomCommand> commands) {
        StreamsBuilder builder = new StreamsBuilder();
        new RoomTopology(CONFIG).build(builder);
        Properties props = Main.streamsProperties(CONFIG);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "room-replay-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(T0))) {
            TestInputTopic<String, RoomCommand> in = driver.createInputTopic(CONFIG.topic(Topic.ROOM_COMMANDS),
                    new StringSerializer(), Serdes.roomCommand());
            TestOutputTopic<String, RoomEvent> out = driver.createOutputTopic(CONFIG.topic(Topic.ROOM_EVENTS),
                    new StringDeserializer(), Serdes.roomEvent());
            commands.forEach(c -> in.pipeInput(c.roomId(), c, c.timestamp()));
            List<RoomEvent> events = out.readRecordsToList().stream().map(TestRecord::value).toList();
            return new Run(events, RoomEventsFold.of(driver.getKeyValueStore(Stores.ROOM_STATE)));
        }
    }

    @Test
    void roomEventsReplayedIntoEmptyStateGiveTheSameRoomsMembersAndRoles() {
        List<RoomCommand> commands = scenario(T0);
        Run live = run(first, commands);
        assertThat(live.state()).containsKeys(RoomKeys.room("team"), RoomKeys.member("team", "bob"), RoomKeys.idle("town"),
                RoomKeys.room(DirectRooms.idOf("alice", "bob")), RoomKeys.room("gone"), RoomKeys.member("lobby", "gina"));
        assertThat(live.state()).doesNotContainKeys(RoomKeys.member("team", "carol"), RoomKeys.member("lobby", "hank"),
                RoomKeys.member("town", "frank"), RoomKeys.leftMuted("town", "frank"), RoomKeys.leftMuted("team", "dave"));
        // Left muted, added again: muted. Left muted, never back: the mark stays.
        assertThat(live.state().get(RoomKeys.member("team", "dave"))).isEqualTo(new RoomEntry.Member("member", true));
        assertThat(live.state()).containsKey(RoomKeys.leftMuted("town", "jill"));
        // Removed while muted, then a member again: not muted (the message after it was accepted); left
        // muted, then joined again: muted (refused).
        assertThat(live.events()).anySatisfy(e -> assertThat(e.body()).isEqualTo(new RoomEvent.MemberRemoved("carol")))
                .anySatisfy(e -> assertThat(e.body()).isInstanceOf(RoomEvent.MessageSent.class)
                        .extracting(b -> ((RoomEvent.MessageSent) b).content()).isEqualTo("back"))
                .noneSatisfy(e -> assertThat(e.body()).isInstanceOf(RoomEvent.MessageSent.class)
                        .extracting(b -> ((RoomEvent.MessageSent) b).content()).isEqualTo("muted"));
        assertThat(((RoomEntry.Room) live.state().get(RoomKeys.room("gone"))).isDeleted()).isTrue();

        // The public log alone, folded into empty state: identical.
        assertThat(RoomEventsFold.fold(live.events())).isEqualTo(live.state());

        // A second room stage with empty state, given the same commands: the same events, the same state.
        Run again = run(second, commands);
        assertThat(again.events()).isEqualTo(live.events());
        assertThat(again.state()).isEqualTo(live.state());
    }
}
