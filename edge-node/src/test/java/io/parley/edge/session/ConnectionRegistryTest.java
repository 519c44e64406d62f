/*
 * ConnectionRegistryTest owns the checks of the node's connection limits: per node, per user,
 * counted back on remove, exact under concurrent admissions.
 */
package io.parley.edge.session;

import io.parley.contracts.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionRegistryTest {

    @Test
    void perUserLimitRefusesTheNextConnectionOfThatUserOnly() {
        ConnectionRegistry registry = new ConnectionRegistry(0, 2);
        assertThat(registry.tryAdd(new FakeConnection("c1", "alice"))).isEqualTo(ConnectionRegistry.Admission.ADMITTED);
        assertThat(registry.tryAdd(new FakeConnection("c2", "alice"))).isEqualTo(ConnectionRegistry.Admission.ADMITTED);
        assertThat(registry.precheck("alice")).isEqualTo(ConnectionRegistry.Admission.USER_FULL);
        assertThat(registry.tryAdd(new FakeConnection("c3", "alice"))).isEqualTo(ConnectionRegistry.Admission.USER_FULL);
        assertThat(registry.get("c3")).isNull();
        assertThat(registry.tryAdd(new FakeConnection("c4", "bob"))).isEqualTo(ConnectionRegistry.Admission.ADMITTED);
        assertThat(registry.size()).isEqualTo(3);
        assertThat(registry.countOf("alice")).isEqualTo(2);
    }

    @Test
    void nodeLimitRefusesAnyUserAndFreesOnRemove() {
        ConnectionRegistry registry = new ConnectionRegistry(2, 0);
        FakeConnection first = new FakeConnection("c1", "alice");
        registry.tryAdd(first);
        registry.tryAdd(new FakeConnection("c2", "bob"));
        assertThat(registry.precheck("carol")).isEqualTo(ConnectionRegistry.Admission.NODE_FULL);
        assertThat(registry.tryAdd(new FakeConnection("c3", "carol"))).isEqualTo(ConnectionRegistry.Admission.NODE_FULL);
        assertThat(registry.remove(first)).isTrue();
        assertThat(registry.remove(first)).isFalse(); // counted back once
        assertThat(registry.precheck("carol")).isNull();
        assertThat(registry.tryAdd(new FakeConnection("c3", "carol"))).isEqualTo(ConnectionRegistry.Admission.ADMITTED);
        assertThat(registry.tryAdd(new FakeConnection("c4", "dave"))).isEqualTo(ConnectionRegistry.Admission.NODE_FULL);
    }

    @Test
    void refusalIsConnectionLimitWithARetryHint() {
        ConnectionRegistry registry = new ConnectionRegistry(1, 1);
        var body = registry.refusal(ConnectionRegistry.Admission.NODE_FULL);
        assertThat(body.code()).isEqualTo(ErrorCode.CONNECTION_LIMIT);
        assertThat(body.retryAfterMs()).isPositive();
        assertThat(registry.refusal(ConnectionRegistry.Admission.USER_FULL).message()).contains("PARLEY_MAX_CONNECTIONS_PER_USER");
    }

    @Test
    void zeroMeansNoLimit() {
        ConnectionRegistry registry = new ConnectionRegistry(0, 0);
        for (int i = 0; i < 1000; i++) {
            assertThat(registry.tryAdd(new FakeConnection("c" + i, "alice"))).isEqualTo(ConnectionRegistry.Admission.ADMITTED);
        }
        assertThat(registry.precheck("alice")).isNull();
    }

    @Test
    void concurrentAdmissionsNeverExceedTheLimits() throws Exception {
        ConnectionRegistry registry = new ConnectionRegistry(50, 7);
        AtomicInteger admitted = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200; i++) {
                    if (registry.tryAdd(new FakeConnection(thread + "-" + i, "u" + (i % 10))) == ConnectionRegistry.Admission.ADMITTED) {
                        admitted.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(admitted.get()).isEqualTo(registry.size()).isLessThanOrEqualTo(50);
        for (int u = 0; u < 10; u++) {
            assertThat(registry.countOf("u" + u)).isLessThanOrEqualTo(7);
        }
        assertThat(registry.size()).isEqualTo(50); // 10 users x 7 = 70 allowed by users: the node bound is reached exactly
    }
}
