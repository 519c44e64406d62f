/*
 * CommandFixture owns the setup the command tests share: a recording publisher, this node's
 * records ("edge-7", slot 7, a fixed clock), the message rooms delivered here, a rate-limit table,
 * the command service over them and one connection, alice.
 */
package io.parley.edge.command;

import io.parley.edge.delivery.MessageRooms;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.publish.RecordingPublisher;
import io.parley.edge.session.FakeConnection;

abstract class CommandFixture {
    static final long NOW = 1_700_000_000_000L;
    final RecordingPublisher publisher = new RecordingPublisher();
    final RateLimitTable rateLimits = new RateLimitTable();
    final MessageRooms messageRooms = new MessageRooms(100);
    final CommandRecords records = new CommandRecords("edge-7", 7, publisher, () -> NOW);
    final CommandService service = new CommandService("edge-7", 7, publisher, rateLimits, () -> NOW, messageRooms);
    final FakeConnection alice = new FakeConnection("conn-1", "alice");
}
