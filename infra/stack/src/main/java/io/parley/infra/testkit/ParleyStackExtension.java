package io.parley.infra.testkit;

import io.parley.infra.stack.LocalStack;
import io.parley.infra.stack.Main;
import io.parley.infra.stack.StackConfig;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JUnit 5 test support: starts the local stack (real Kafka, Cassandra, Redis) once per test run
 * (once per test JVM) and shares it between every integration test class that declares
 * {@code @ExtendWith(ParleyStackExtension.class)}; the stack stops when the run ends.
 *
 * <p>Tests receive a {@link TestStack} parameter, from which each test takes its own topic
 * namespace, keyspace and application id, so tests never see each other's data. Servers named
 * by {@code PARLEY_KAFKA_BOOTSTRAP}, {@code PARLEY_CASSANDRA_CONTACT_POINTS} or
 * {@code PARLEY_REDIS_URL} are used instead of starting local ones.
 */
public final class ParleyStackExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ParleyStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(TestStack.class, key -> startStack(), TestStack.class);
    }

    private static TestStack startStack() {
        Main.configureLogging(); // connection refusals while servers boot are expected: keep the output readable
        try {
            Path dataDir = Files.createTempDirectory("parley-test-stack-");
            StackConfig config = StackConfig.forTests(System.getenv(), dataDir);
            LocalStack stack = LocalStack.start(config, line -> System.out.println("[parley-stack] " + line));
            return new TestStack(stack, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
