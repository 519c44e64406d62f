/*
 * CapacityConfig owns how much one edge node admits, part of EdgeConfig (read there from the
 * environment): connections of the node, connections of one user, rooms of one user.
 */
package io.parley.edge.guard;

/**
 * <table>
 * <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 * <tr><td>PARLEY_EDGE_MAX_CONNECTIONS</td><td>100000</td><td>connections of this node (both protocols); one more is
 * refused with CONNECTION_LIMIT (HTTP 503 at a /ws upgrade, a CONNECT_ERROR on Socket.IO, an error then close
 * 4429 after first-message auth); 0 = no limit</td></tr>
 * <tr><td>PARLEY_MAX_CONNECTIONS_PER_USER</td><td>20</td><td>connections of one user on this node (refused like the
 * node limit); the processors enforce the same variable across nodes; 0 = no limit</td></tr>
 * <tr><td>PARLEY_MAX_ROOMS_PER_USER</td><td>1000</td><td>rooms a user may be a member of: a join-room / create-room / open-direct of
 * another is refused with ROOM_LIMIT (counted per connection: the rooms it joined and those it was subscribed to as
 * a member's; eventually the user's count); 0 = no limit</td></tr>
 * </table>
 */
public record CapacityConfig(int maxConnections, int maxConnectionsPerUser, int maxRoomsPerUser) {
    public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 20;
    public static final int DEFAULT_MAX_ROOMS_PER_USER = 1000;

    public CapacityConfig {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("PARLEY_EDGE_MAX_CONNECTIONS must be >= 0");
        }
        if (maxConnectionsPerUser < 0) {
            throw new IllegalArgumentException("PARLEY_MAX_CONNECTIONS_PER_USER must be >= 0");
        }
        if (maxRoomsPerUser < 0) {
            throw new IllegalArgumentException("PARLEY_MAX_ROOMS_PER_USER must be >= 0");
        }
    }

    public static CapacityConfig defaults() {
        return new CapacityConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_USER, DEFAULT_MAX_ROOMS_PER_USER);
    }
}
