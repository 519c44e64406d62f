// Owns the wiring and lifecycle of one history store: Cassandra session and schema, the
// room-events writer, the HTTP API; started and stopped in order, by hand (no DI).
package io.parley.history;

import com.datastax.oss.driver.api.core.CqlSession;
import io.helidon.webserver.WebServer;
import io.parley.contracts.CqlSchema;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.history.api.HistoryApi;
import io.parley.history.cql.MessagePager;
import io.parley.history.cql.MessageStore;
import io.parley.history.cql.Sessions;
import io.parley.history.writer.RoomEventWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * A running history store. {@link #start} opens the session, applies the schema (idempotent),
 * starts the writer and the web server; {@link #close} stops them in reverse: the writer first
 * (it commits what it stored), then the web server, then the session.
 */
public final class HistoryStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryStore.class);

    private final CqlSession session;
    private final RoomEventWriter writer;
    private final WebServer server;

    private HistoryStore(CqlSession session, RoomEventWriter writer, WebServer server) {
        this.session = session;
        this.writer = writer;
        this.server = server;
    }

    public static HistoryStore start(HistoryConfig config) {
        TokenVerifier verifier = new TokenVerifier(config.auth());
        CqlSession session = Sessions.open(config.cassandraContactPoints(), config.cassandraLocalDc());
        RoomEventWriter writer = null;
        try {
            MessageStore store = MessageStore.open(session, config.keyspace(), CqlSchema.localReplication(), config.buckets());
            LOG.info("history store: schema applied to keyspace '{}' (bucket size {})", config.keyspace(), config.buckets().size());
            writer = RoomEventWriter.start(new RoomEventWriter.Settings(config.kafkaBootstrap(), config.roomEventsTopic(),
                    config.groupId(), "parley-history-" + UUID.randomUUID().toString().substring(0, 8)), store::write);
            RoomEventWriter running = writer;
            HistoryApi api = new HistoryApi(verifier, new MessagePager(config.buckets(), store), store, store,
                    () -> !session.isClosed() && running.isRunning());
            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    .routing(api::routing)
                    .build()
                    .start();
            return new HistoryStore(session, writer, server);
        } catch (RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            session.close();
            throw e;
        }
    }

    /** The port the API listens on (the chosen one when configured with 0). */
    public int port() {
        return server.port();
    }

    public boolean isWriterRunning() {
        return writer.isRunning();
    }

    @Override
    public void close() {
        writer.close();
        server.stop();
        session.close();
        LOG.info("history store stopped");
    }
}
