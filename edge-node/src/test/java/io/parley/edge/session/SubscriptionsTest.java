/*
 * SubscriptionsTest owns the proof that the fan-out's per-socket checks (recovery, subscription
 * hold) find every entry while it is there and nothing once it is gone, with the counter that
 * lets a connection holding nothing answer with one read back at zero after every way out.
 */
package io.parley.edge.session;

import io.parley.edge.recovery.RoomRecovery;
import io.parley.edge.recovery.SubscriptionHold;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionsTest {
    private final Subscriptions subscriptions = new Subscriptions();
    private final FakeConnection connection = new FakeConnection("c1", "u1");

    @Test
    void recoveriesAndHoldsAreFoundWhileThereAndTheCountReturnsToZero() {
        assertThat(subscriptions.recovery("r1")).isNull();
        assertThat(subscriptions.subscriptionHold("r1")).isNull();
        assertThat(subscriptions.takeSubscriptionHold("r1")).isNull();

        RoomRecovery first = new RoomRecovery("r1", 1, "1", null, 10, () -> { });
        RoomRecovery second = new RoomRecovery("r1", 2, "2", null, 10, () -> { });
        subscriptions.recovering("r1", first);
        subscriptions.recovering("r1", second); // replaces the first
        assertThat(subscriptions.recovery("r1")).isSameAs(second);
        assertThat(subscriptions.recovery("r2")).isNull();
        assertThat(subscriptions.diverted()).isEqualTo(1);
        subscriptions.recovered("r1", first); // not the current one: nothing removed
        assertThat(subscriptions.recovery("r1")).isSameAs(second);

        SubscriptionHold hold = new SubscriptionHold(connection, "r2", Long.MAX_VALUE, 10);
        SubscriptionHold other = new SubscriptionHold(connection, "r3", Long.MAX_VALUE, 10);
        subscriptions.holding("r2", hold);
        subscriptions.holding("r3", other);
        assertThat(subscriptions.subscriptionHold("r2")).isSameAs(hold);
        assertThat(subscriptions.diverted()).isEqualTo(3);

        subscriptions.recovered("r1", second);
        assertThat(subscriptions.recovery("r1")).isNull();
        assertThat(subscriptions.takeSubscriptionHold("r2")).isSameAs(hold);
        assertThat(subscriptions.takeSubscriptionHold("r2")).isNull();
        subscriptions.releasedHold("r3", hold); // not r3's hold: kept
        assertThat(subscriptions.subscriptionHold("r3")).isSameAs(other);
        subscriptions.releasedHold("r3", other);
        assertThat(subscriptions.subscriptionHold("r3")).isNull();
        assertThat(subscriptions.diverted()).isZero();
    }
}
