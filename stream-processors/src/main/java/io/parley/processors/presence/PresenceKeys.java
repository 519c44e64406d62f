/*
 * PresenceKeys owns the key layout of the presence-state store: a kind prefix, then fields that
 * sort usefully. User ids may contain anything, so they are length-prefixed; edge node ids never
 * contain '|' (EdgeConfig). Timers sort by due time, so due ones are one range scan.
 */
package io.parley.processors.presence;

final class PresenceKeys {
    static final String USER_PREFIX = "u|";
    static final String TIMER_PREFIX = "t|";

    private PresenceKeys() {}

    /** {@code u|<userId>}: the user's {@link PresenceEntry.State}. */
    static String user(String userId) {
        return USER_PREFIX + userId;
    }

    static String userOf(String userKey) {
        return userKey.substring(USER_PREFIX.length());
    }

    /** {@code t|<due, 19 digits>|<userId>}: the user's next timer. */
    static String timer(long due, String userId) {
        return TIMER_PREFIX + padded(due) + "|" + userId;
    }

    static String timersUpTo(long now) {
        return TIMER_PREFIX + padded(now) + "|\uffff";
    }

    static String userOfTimer(String timerKey) {
        return timerKey.substring(TIMER_PREFIX.length() + 19 + 1);
    }

    /** {@code n|<nodeId>|<len>:<userId>|<connectionId>}: a connection held by the node. */
    static String nodeConn(String nodeId, String userId, String connectionId) {
        return nodePrefix(nodeId) + userId.length() + ":" + userId + "|" + connectionId;
    }

    static String nodePrefix(String nodeId) {
        return "n|" + nodeId + "|";
    }

    /** {user, connection} of a {@link #nodeConn} key. */
    static String[] userAndConnection(String nodeConnKey, String nodeId) {
        String rest = nodeConnKey.substring(nodePrefix(nodeId).length());
        int colon = rest.indexOf(':');
        int length = Integer.parseInt(rest.substring(0, colon));
        String user = rest.substring(colon + 1, colon + 1 + length);
        return new String[] {user, rest.substring(colon + 1 + length + 1)};
    }

    private static String padded(long time) {
        String digits = Long.toString(Math.max(0, time));
        return "0".repeat(19 - digits.length()) + digits;
    }
}
