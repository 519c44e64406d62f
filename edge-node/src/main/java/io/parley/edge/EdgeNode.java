/*
 * EdgeNode owns the wiring of one edge node around its Kafka seam: the Helidon server (/ws,
 * /socket.io/ and /health), the native and Socket.IO endpoints (one command service, registry and
 * room index behind both), the command service, the room index, the delivery handler, the
 * liveness heartbeat, the reaper, and the graceful stop (drain). Operations: /metrics (Prometheus,
 * see metrics.EdgeMetrics), /ready (readiness; /health stays liveness) and the admin API
 * (admin.AdminApi). Main gives it the Kafka publisher; a
 * socket-layer test gives it a recording one and calls deliveries() directly.
 */
package io.parley.edge;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsUpgradeException;
import io.parley.contracts.EventIds;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.contracts.auth.TokenVerifier;
import io.parley.contracts.ops.ProcessMetrics;
import io.parley.contracts.ops.Readiness;
import io.parley.contracts.event.EdgeHeartbeat;
import io.parley.contracts.json.Json;
import io.parley.edge.admin.AdminApi;
import io.parley.edge.auth.TokenLifecycle;
import io.parley.edge.auth.UpgradeAuthenticator;
import io.parley.edge.command.CommandParser;
import io.parley.edge.command.CommandService;
import io.parley.edge.delivery.DeliveryHandler;
import io.parley.edge.delivery.MessageRooms;
import io.parley.edge.delivery.RoomIndex;
import io.parley.edge.guard.LocalRateLimit;
import io.parley.edge.guard.PipelineLag;
import io.parley.edge.guard.RateLimitTable;
import io.parley.edge.metrics.EdgeMetrics;
import io.parley.edge.metrics.OpsConfig;
import io.parley.edge.publish.CommandPublisher;
import io.parley.edge.recovery.HistorySource;
import io.parley.edge.recovery.HttpHistorySource;
import io.parley.edge.recovery.Resumer;
import io.parley.edge.session.ClientConnection;
import io.parley.edge.session.ConnectionRegistry;
import io.parley.edge.socketio.Cors;
import io.parley.edge.socketio.SocketIoEndpoint;
import io.parley.edge.ws.NativeEndpoint;
import io.parley.edge.ws.TappedWsUpgrader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Start once, stop once. */
public final class EdgeNode {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);
    /** Helidon's own frame limit: frames above it close the socket (1009); between maxFrameBytes and it, PAYLOAD_TOO_LARGE. */
    static final int MIN_HARD_FRAME_LIMIT = 65_536;
    private static final long REAP_INTERVAL_MS = 1_000;
    /** How often windows of aggregated message attempts are checked for their end (at most). */
    private static final long ATTEMPT_TICK_MS = 100;

    private final EdgeConfig config;
    private final CommandPublisher publisher;
    private final ConnectionRegistry registry;
    private final RoomIndex index = new RoomIndex();
    private final RateLimitTable rateLimits;
    private final CommandService commands;
    private final NativeEndpoint nativeEndpoint;
    private final SocketIoEndpoint socketIo;
    private final DeliveryHandler deliveries;
    private final TokenLifecycle tokens;
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("parley-edge-timer").daemon(true).unstarted(r));
    private final AtomicLong heartbeatFailures = new AtomicLong();
    private final AtomicLong leaseResets = new AtomicLong();
    private final PipelineLag lag;
    /** Minted before any connection id of this boot, so every connection id of the boot sorts above it. */
    private volatile String bootId = EventIds.next();
    private WebServer server;
    private BooleanSupplier deliveriesRunning = () -> true;
    private volatile boolean stopped;
    /** Set when the drain starts: /ready answers 503 and new sockets are refused. */
    private volatile boolean draining;
    /** Why the deliveries consumer stopped (null while it runs): sockets are closed and refused. */
    private volatile String deliveriesFailure;
    private final OpsConfig ops;
    private final ProcessMetrics processMetrics = new ProcessMetrics("edge");
    private final EdgeMetrics metrics = new EdgeMetrics(processMetrics.registry());
    private final AdminApi admin;
    private Readiness readiness;
    private final Resumer resumer;

    public EdgeNode(EdgeConfig config, TokenVerifier verifier, CommandPublisher publisher) {
        this(config, verifier, publisher, OpsConfig.defaults());
    }

    public EdgeNode(EdgeConfig config, TokenVerifier verifier, CommandPublisher publisher, OpsConfig ops) {
        this.config = config;
        this.registry = new ConnectionRegistry(config.capacity().maxConnections(), config.capacity().maxConnectionsPerUser());
        this.ops = ops;
        EdgeMetrics.install(metrics);
        metrics.bindConnections(registry::snapshot, java.util.List.of("native", "socketio"));
        this.publisher = publisher;
        this.lag = new PipelineLag(config.backpressure().maxPendingMs(), config.backpressure().maxPendingJoinMs());
        MessageRooms messageRooms = new MessageRooms(MessageRooms.DEFAULT_MAX_ENTRIES);
        this.rateLimits = new RateLimitTable(new LocalRateLimit(config.rateLimit().rateBurst(),
                config.rateLimit().maxMessagesPerMinute()));
        this.commands = new CommandService(config.nodeId(), config.slot(), publisher, rateLimits, System::currentTimeMillis,
                lag, messageRooms);
        this.commands.limitRoomsPerUser(config.capacity().maxRoomsPerUser());
        this.commands.aggregateAttempts(config.rateLimit().attemptWindowMs());
        UpgradeAuthenticator authenticator = new UpgradeAuthenticator(verifier);
        this.tokens = new TokenLifecycle(authenticator, config.sessionAuth(), System::currentTimeMillis);
        CommandParser parser = new CommandParser(config.maxMessageLength());
        this.nativeEndpoint = new NativeEndpoint(authenticator, tokens, new Cors(config.socketIo().corsOrigins()), parser,
                commands, registry, index, writers, config.socket().maxFrameBytes(), config.socket().maxFramesPerSecond(),
                config.socket().sendQueueLimit());
        this.socketIo = new SocketIoEndpoint(config.socketIo(), authenticator, tokens, parser, commands, registry, index,
                writers, config.socket().maxFrameBytes(), config.socket().maxFramesPerSecond(),
                config.socket().sendQueueLimit());
        this.deliveries = new DeliveryHandler(registry, index, rateLimits, lag, this::leaseExpired, messageRooms);
        this.deliveries.onGoneSubscription(s -> commands.leaveGone(s.userId(), s.connectionId(), s.roomId()));
        this.resumer = new Resumer(config.resume(), historySource(config), config.socket().sendQueueLimit());
        commands.useResumer(resumer);
        deliveries.useResumer(resumer);
        deliveries.useSubscribeHold(config.resume().subscribeHoldMs(), config.resume().holdLimit());
        io.micrometer.core.instrument.Gauge.builder("parley.edge.recoveries.active", resumer, Resumer::active)
                .description("Rooms being recovered for resuming sockets now (bounded by PARLEY_RESUME_MAX_CONCURRENT)")
                .strongReference(true).register(processMetrics.registry());
        io.micrometer.core.instrument.Gauge.builder("parley.ready", this, n -> n.isReady() ? 1 : 0)
                .description("1 while the node is ready (serving, not draining, every readiness check passes), else 0")
                .register(processMetrics.registry());
        // Backpressure (PipelineLag): the age of the oldest command still waiting for the processors' answer.
        io.micrometer.core.instrument.Gauge.builder("parley.edge.pending.age", lag, l -> l.oldestAgeMs() / 1000.0)
                .description("Age of the oldest command (joins not counted) still waiting for the processors' answer (backpressure)")
                .baseUnit("seconds").strongReference(true).register(processMetrics.registry());
        io.micrometer.core.instrument.FunctionCounter.builder("parley.edge.refused.overload", lag, PipelineLag::refused)
                .description("Commands refused with UNAVAILABLE because the pipeline lagged past PARLEY_EDGE_MAX_PENDING_MS (joins: PARLEY_EDGE_MAX_PENDING_JOIN_MS)")
                .register(processMetrics.registry());
        this.admin = new AdminApi(config.nodeId(), ops.adminToken(), registry, index,
                (connection, reason) -> nativeEndpoint.disconnect(connection, reason) || socketIo.disconnect(connection, reason),
                commands::presenceReader);
    }

    /**
     * Where resumes read missed messages: the history store at PARLEY_HISTORY_URL with a short-lived
     * token the node signs for the user (needs PARLEY_JWT_SECRET); null (resumes end truncated) without either.
     */
    private static HistorySource historySource(EdgeConfig config) {
        if (config.resume().historyUrl() == null) {
            return null;
        }
        if (config.auth().hs256Secret().isEmpty()) {
            LOG.warn("PARLEY_HISTORY_URL is set but PARLEY_JWT_SECRET is not: resumes cannot read the history store");
            return null;
        }
        return new HttpHistorySource(config.resume().historyUrl(), TokenIssuer.from(config.auth()));
    }

    /**
     * Where resumable Socket.IO sessions are kept (Main: Redis): turns on connection-state recovery
     * for PARLEY_SIO_RECOVERY_MS (0: off).
     */
    public EdgeNode useSioSessions(io.parley.edge.socketio.SioSessions sessions) {
        socketIo.useRecovery(sessions, config.resume().sioRecoveryMs());
        return this;
    }

    /** The process's metrics: Main binds the Kafka clients' metrics to its registry. */
    public ProcessMetrics metrics() {
        return processMetrics;
    }

    /** The dependency checks behind /ready (Main adds Kafka, Redis, the lag bound); draining is always checked. */
    public EdgeNode useReadiness(Readiness readiness) {
        this.readiness = readiness;
        return this;
    }

    /** The Socket.IO endpoint (tests read its session count). */
    public SocketIoEndpoint socketIo() {
        return socketIo;
    }

    /** The command service of every protocol (Main gives it the presence reader). */
    public CommandService commands() {
        return commands;
    }

    /** What the deliveries consumer (or a test) hands each Delivery to, from one thread. */
    public DeliveryHandler deliveries() {
        return deliveries;
    }

    /**
     * Starts the server, the heartbeat and the reaper. {@code deliveriesRunning} tells /health
     * whether the deliveries consumer is alive.
     */
    public EdgeNode start(BooleanSupplier deliveriesRunning) {
        this.deliveriesRunning = deliveriesRunning;
        WsConfig ws = WsConfig.builder()
                .maxFrameLength(Math.max(Math.max(MIN_HARD_FRAME_LIMIT, 4 * config.socket().maxFrameBytes()),
                        config.socketIo().maxPayload()))
                .build();
        server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                // Helidon counts only client frames as activity; clients ping (op "ping") to stay
                // connected. Sessions Helidon closes this way get no onClose: the reaper cleans them up.
                .idleConnectionTimeout(config.idleTimeout())
                .idleConnectionPeriod(config.idleCheckPeriod())
                .addProtocol(ws)
                // Our HTTP/1.1 selector comes before the discovered one: its WebSocket upgrader lets
                // Parley check what Helidon does not of RFC 6455 (TappedWsUpgrader).
                .addConnectionSelector(Http1ConnectionSelector.builder()
                        .config(Http1Config.create())
                        .putUpgrader("websocket", new TappedWsUpgrader(ws))
                        .build())
                .routing(routing -> routing
                        .get("/health", this::health)
                        .get("/ready", this::ready)
                        .get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, ProcessMetrics.CONTENT_TYPE)
                                .send(processMetrics.scrape()))
                        .register(admin::routing)
                        .any("/ws", nativeEndpoint::refusedUpgrade)
                        .any("/socket.io/", this::socketIoUnlessDraining)
                        .any("/socket.io", this::socketIoUnlessDraining))
                .addRouting(WsRouting.builder()
                        .endpoint("/ws", unlessDraining(nativeEndpoint::newListener))
                        .endpoint("/socket.io/", unlessDraining(socketIo::newListener))
                        .endpoint("/socket.io", unlessDraining(socketIo::newListener)))
                .build()
                .start();
        long beat = config.heartbeatIntervalMs();
        timer.scheduleAtFixedRate(this::heartbeat, 0, beat, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::reap, REAP_INTERVAL_MS, REAP_INTERVAL_MS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> lag.refresh(System.currentTimeMillis()),
                PipelineLag.REFRESH_MS, PipelineLag.REFRESH_MS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> deliveries.releaseDueHolds(System.currentTimeMillis()),
                PipelineLag.REFRESH_MS, PipelineLag.REFRESH_MS, TimeUnit.MILLISECONDS);
        long attemptWindow = config.rateLimit().attemptWindowMs();
        if (attemptWindow > 0) {
            long tick = Math.max(10, Math.min(ATTEMPT_TICK_MS, attemptWindow / 4));
            timer.scheduleWithFixedDelay(this::flushAttempts, tick, tick, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    public int port() {
        return server.port();
    }

    public int connectionCount() {
        return registry.size();
    }

    public boolean isHealthy() {
        return server != null && server.isRunning() && !stopped && publisher.isRunning() && deliveriesRunning.getAsBoolean()
                && deliveriesFailure == null;
    }

    private void health(ServerRequest request, ServerResponse response) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean healthy = isHealthy();
        body.put("status", healthy ? "UP" : "DOWN");
        body.put("node", config.nodeId());
        body.put("slot", config.slot());
        body.put("connections", registry.size());
        body.put("rooms", index.roomCount());
        body.put("bootId", bootId);
        body.put("leaseResets", leaseResets.get());
        body.put("pendingAgeMs", lag.oldestAgeMs());
        body.put("refusedOverload", lag.refused());
        response.status(healthy ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(Json.write(body));
    }

    /** True while serving and every readiness check passes; false from the start of the drain. */
    public boolean isReady() {
        return isHealthy() && !draining && !overloaded() && (readiness == null || readiness.isReady());
    }

    /** The backpressure bound is exceeded: the node refuses new sends, so a balancer should route elsewhere. */
    private boolean overloaded() {
        return lag.boundMs() > 0 && lag.oldestAgeMs() > lag.boundMs();
    }

    private void ready(ServerRequest request, ServerResponse response) {
        boolean ready = isReady();
        String body;
        if (draining || stopped) {
            body = "{\"status\":\"NOT_READY\",\"problems\":{\"edge\":\"draining\"}}";
        } else if (deliveriesFailure != null) {
            body = "{\"status\":\"NOT_READY\",\"problems\":{\"deliveries\":" + Json.write(deliveriesFailure) + "}}";
        } else if (!isHealthy()) {
            body = "{\"status\":\"NOT_READY\",\"problems\":{\"edge\":\"not healthy (see /health)\"}}";
        } else if (overloaded()) {
            body = "{\"status\":\"NOT_READY\",\"problems\":{\"backpressure\":\"a command has waited "
                    + lag.oldestAgeMs() + " ms for the processors (bound " + lag.boundMs() + " ms)\"}}";
        } else {
            body = readiness == null ? "{\"status\":\"READY\"}" : readiness.json();
        }
        response.status(ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(body);
    }

    /** While draining, a new Engine.IO session (a request without sid) is refused with 503; existing sessions go on. */
    private void socketIoUnlessDraining(ServerRequest request, ServerResponse response) {
        if ((draining || deliveriesFailure != null) && request.query().first("sid").isEmpty()) {
            response.status(Status.SERVICE_UNAVAILABLE_503)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send("{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"the node is draining; connect to another node\"}}");
            return;
        }
        socketIo.handle(request, response);
    }

    /** New sockets are refused (the upgrade fails) once the drain started: clients go to another node. */
    private Supplier<WsListener> unlessDraining(Supplier<WsListener> listeners) {
        WsListener refusing = new WsListener() {
            @Override
            public java.util.Optional<io.helidon.http.Headers> onHttpUpgrade(io.helidon.http.HttpPrologue prologue,
                                                                          io.helidon.http.Headers headers)
                    throws WsUpgradeException {
                throw new WsUpgradeException("the node is draining; connect to another node");
            }
        };
        return () -> draining || deliveriesFailure != null ? refusing : listeners.get();
    }

    private void heartbeat() {
        try {
            publisher.publish(new EdgeHeartbeat(config.nodeId(), config.slot(), System.currentTimeMillis(),
                    config.leaseMs(), registry.size(), bootId), failure -> {
                if (failure != null && heartbeatFailures.incrementAndGet() % 10 == 1) {
                    LOG.warn("heartbeat not published ({} failures so far): {}", heartbeatFailures.get(), failure.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.error("heartbeat failed", e);
        }
    }

    /** The boot id in this node's heartbeats (a new one after each lease reset). */
    public String bootId() {
        return bootId;
    }

    /** How many times this node found its lease expired and reset its sockets. */
    public long leaseResets() {
        return leaseResets.get();
    }

    /**
     * The processors expired this node's lease for boot {@code expiredBoot} (it stalled past its
     * lease: SIGSTOP, a long GC, a lost network) and dropped its connections. The sockets of that
     * boot look connected but the processors route nothing to them: start a new boot id first (every
     * socket accepted from now on sorts above it), then close every socket below it (native: 4503
     * RECONNECT; Socket.IO: a transport close, the stock client reconnects), which publishes their
     * leaves and disconnects, and heartbeat at once with the new boot id. A notice for an older boot
     * (already reset) is ignored. Deliveries thread.
     */
    synchronized void leaseExpired(String expiredBoot) {
        if (stopped || expiredBoot == null || !expiredBoot.equals(bootId)) {
            return;
        }
        String next = EventIds.next();
        bootId = next;
        leaseResets.incrementAndGet();
        int closed = nativeEndpoint.closeBefore(next, "lease expired: reconnect")
                + socketIo.closeBefore(next, "lease expired");
        LOG.warn("edge node {}: the processors expired this node's lease (boot {}): closed {} sockets for reconnection; new boot {}",
                config.nodeId(), expiredBoot, closed, next);
        heartbeat();
    }

    /**
     * The deliveries consumer failed (DeliveriesConsumer's header says when): nothing reaches this
     * node's sockets any more, so none may stay open looking alive. New sockets are refused, /health
     * and /ready turn 503 (problem "deliveries"), and every socket is closed (native: 4503 RECONNECT;
     * Socket.IO: a transport close, the stock client reconnects), which publishes its leaves and
     * disconnect; its client reconnects to another node and resumes by seq. The reaper repeats the
     * close for a socket accepted in the race. The node stays up, DOWN, until it is restarted.
     */
    public void deliveriesFailed(Throwable cause) {
        if (stopped || deliveriesFailure != null) {
            return;
        }
        deliveriesFailure = "the deliveries consumer stopped: " + (cause == null ? "unknown" : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        int closed = closeEverySocket();
        LOG.error("edge node {}: {}; closed {} sockets for reconnection elsewhere; the node stays DOWN until restarted",
                config.nodeId(), deliveriesFailure, closed);
    }

    private int closeEverySocket() {
        String above = EventIds.next();
        return nativeEndpoint.closeBefore(above, "deliveries stopped: reconnect") + socketIo.closeBefore(above, "deliveries stopped");
    }

    private void flushAttempts() {
        try {
            commands.flushAttempts(System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.error("flushing message attempts failed", e);
        }
    }

    private void reap() {
        try {
            if (deliveriesFailure != null && registry.size() > 0) {
                closeEverySocket();
            }
            nativeEndpoint.reap(System.nanoTime());
            socketIo.reap();
            rateLimits.purge(System.currentTimeMillis(), user -> registry.countOf(user) > 0);
        } catch (RuntimeException e) {
            LOG.error("reaper failed", e);
        }
    }

    /**
     * Graceful stop (drain, on SIGTERM): /ready turns 503 and new sockets are refused; new commands
     * are refused with UNAVAILABLE; after PARLEY_DRAIN_GRACE_MS (replies to commands already
     * accepted come back and are written) every socket gets what is queued for it and then a close
     * (native /ws: 1001 "going away", reconnect to another node; Socket.IO: the transport closes,
     * the stock client reconnects), its leaves and disconnect are published; then the close frames
     * get a moment, the server and the timers stop.
     * The caller then stops the deliveries consumer and closes the publisher (which flushes).
     */
    public void stop() {
        if (draining || stopped) {
            return;
        }
        draining = true;
        commands.drain();
        // Let replies to commands accepted just before the drain come back and be written first.
        if (ops.drainGraceMs() > 0 && server != null) {
            sleepQuietly(ops.drainGraceMs());
        }
        stopped = true;
        List<? extends ClientConnection> sessions = nativeEndpoint.closeAll("going away");
        socketIo.closeAll();
        long deadline = System.currentTimeMillis() + 2_000;
        while (!(NativeEndpoint.allFlushed(sessions) && socketIo.allFlushed()) && System.currentTimeMillis() < deadline) {
            sleepQuietly(20);
        }
        timer.shutdownNow();
        tokens.stop();
        socketIo.stop();
        if (server != null) {
            server.stop();
        }
        writers.shutdownNow();
        resumer.close();
        if (readiness != null) {
            readiness.close();
        }
        LOG.info("edge node {} stopped ({} connections closed)", config.nodeId(), sessions.size());
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
