package io.parley.infra.cli;

import io.parley.contracts.auth.AuthConfig;
import io.parley.contracts.auth.TokenIssuer;
import io.parley.infra.stack.ServicesConfig;
import io.parley.infra.stack.StackConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code ./parley token <userId> [minutes]}: prints a token for any user id, signed with the local
 * stack's secret ({@code PARLEY_JWT_SECRET}, or the one the launcher keeps in its data directory),
 * so a newcomer can connect any client.
 */
public final class TokenCommand {
    private TokenCommand() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || args[0].isBlank()) {
            System.err.println("usage: parley token <userId> [valid minutes, default 60]");
            System.exit(64);
        }
        long minutes = args.length == 2 ? Long.parseLong(args[1]) : 60;
        System.out.println(issuer(System.getenv()).mint(args[0], Duration.ofMinutes(minutes)));
    }

    /** The issuer for the local stack's secret. */
    static TokenIssuer issuer(Map<String, String> env) {
        Map<String, String> withSecret = new HashMap<>(env);
        withSecret.computeIfAbsent("PARLEY_JWT_SECRET",
                k -> ServicesConfig.localSecret(StackConfig.fromEnv(env, false).dataDir()));
        return TokenIssuer.from(AuthConfig.fromEnv(withSecret));
    }
}
