/*
 * Identity owns who a verified token says the caller is: the user id (the token's sub, the only
 * source of identity), the display name and avatar from the standard claims, and when the token
 * expires. Every protocol's connection carries one; user objects ({id, username, avatarUrl}) are
 * built from it.
 */
package io.parley.contracts.auth;

import java.time.Instant;

/**
 * What a verified token says.
 *
 * @param userId    the {@code sub} claim; never blank
 * @param name      the {@code name} claim, else {@code preferred_username}; null when neither is present
 * @param avatarUrl the {@code picture} claim; null when absent
 * @param expiresAt the {@code exp} claim (every accepted token has one)
 */
public record Identity(String userId, String name, String avatarUrl, Instant expiresAt) {

    public Identity {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        if (expiresAt == null) {
            throw new IllegalArgumentException("expiresAt is required");
        }
    }

    /** The name to show: the display name when the token has one, else the user id. */
    public String displayName() {
        return name != null ? name : userId;
    }

    /** The same user with a later token: identity fields from {@code fresh}, which must have the same user id. */
    public boolean sameUser(Identity fresh) {
        return fresh != null && userId.equals(fresh.userId());
    }
}
