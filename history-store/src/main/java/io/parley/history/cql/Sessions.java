// Owns how the history store opens its Cassandra session (contact points, local datacenter).
package io.parley.history.cql;

import com.datastax.oss.driver.api.core.CqlSession;

import java.net.InetSocketAddress;
import java.util.List;

/** Opens CQL sessions; the caller closes them. */
public final class Sessions {
    private Sessions() {}

    public static CqlSession open(List<InetSocketAddress> contactPoints, String localDatacenter) {
        return CqlSession.builder()
                .addContactPoints(contactPoints)
                .withLocalDatacenter(localDatacenter)
                .build();
    }
}
