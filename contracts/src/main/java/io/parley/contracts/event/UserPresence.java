package io.parley.contracts.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A user's current presence, on the compacted {@code presence} topic (key: user id): the latest
 * record per user is what analytics consumers read. Written by the presence stage on every real
 * change.
 *
 * @param status       {@code online}, {@code away}, {@code busy}, {@code dnd} or {@code offline}
 * @param customStatus the custom status text, or null
 * @param lastSeen     epoch ms of the user's last connection or activity (0: never seen)
 * @param updatedAt    epoch ms of this change
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserPresence(String userId, String status, String customStatus, long lastSeen, long updatedAt) {}
