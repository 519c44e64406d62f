package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.infra.testkit.ParleyStackExtension;
import io.parley.infra.testkit.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static io.parley.e2e.EdgeGuardsIT.errorCode;
import static io.parley.e2e.MessagingIT.assertOk;
import static io.parley.e2e.WsClient.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-user rate limit, counted across two connections on two edge nodes by the processors and
 * enforced by both nodes (each also keeps its own bucket with the same limits). Prints the
 * overshoot (messages accepted past the burst before the first refusal), which docs/benchmarks.md
 * records: across two nodes about one more burst plus one attempt window of refill, since each
 * node admits its own bucket and reports the user's sends once per window
 * (PARLEY_EDGE_ATTEMPT_WINDOW_MS). The processors charge every send let through, so the user
 * sends again once the overshoot is paid back (one token a second here).
 */
@ExtendWith({ParleyStackExtension.class, ParleyCluster.class})
class RateLimitIT {

    @Test
    void aUserOverTheLimitIsRefusedOnEveryNodeUntilTheDecisionLapses(ParleyCluster parley) {
        String room = TestStack.uniqueName("flood");
        String user = TestStack.uniqueName("flooder");
        try (WsClient one = parley.connect(user, 1); WsClient two = parley.connect(user, 2)) {
            assertOk(one.request("join-room", data("roomId", room)));
            assertOk(two.request("join-room", data("roomId", room)));
            int accepted = 0;
            JsonNode refusal = null;
            for (int i = 0; i < ParleyCluster.RATE_BURST * 3 && refusal == null; i++) {
                WsClient via = i % 2 == 0 ? one : two;
                JsonNode reply = via.request("send-message", data("roomId", room, "content", "flood " + i));
                if (reply.path("ok").asBoolean()) {
                    accepted++;
                } else {
                    refusal = reply;
                }
            }
            assertThat(refusal).as("refused within three bursts").isNotNull();
            assertThat(errorCode(refusal)).isEqualTo("RATE_LIMIT_EXCEEDED");
            assertThat(refusal.path("error").path("retryAfterMs").asLong()).isPositive();
            assertThat(accepted).isGreaterThanOrEqualTo(ParleyCluster.RATE_BURST);
            System.out.printf("[rate-limit] burst %d, accepted %d before the first refusal: overshoot %d%n",
                    ParleyCluster.RATE_BURST, accepted, accepted - ParleyCluster.RATE_BURST);

            // The decision reached both nodes: each refuses on its own.
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(errorCode(one.request("send-message", data("roomId", room, "content", "again 1"))))
                            .isEqualTo("RATE_LIMIT_EXCEEDED"));
            await().atMost(WsClient.PATIENCE).untilAsserted(() ->
                    assertThat(errorCode(two.request("send-message", data("roomId", room, "content", "again 2"))))
                            .isEqualTo("RATE_LIMIT_EXCEEDED"));

            // Tokens refill (one a second at 60 per minute): once what was let through past the burst
            // is paid back, the user may send again.
            Duration payBack = Duration.ofMillis((accepted - ParleyCluster.RATE_BURST + 1L) * 60_000L / ParleyCluster.RATE_PER_MINUTE);
            await().atMost(WsClient.PATIENCE.plus(payBack)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertOk(two.request("send-message", data("roomId", room, "content", "after the pause"))));
        }
    }
}
