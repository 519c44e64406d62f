/*
 * ServiceNodeTest owns the tests of the service JVMs' flags: PARLEY_SERVICE_JVM_OPTIONS replaces
 * the default, split on whitespace; unset or blank keeps it.
 */
package io.parley.infra.stack;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceNodeTest {

    @Test
    void theDefaultUnlessTheVariableSaysOtherwise() {
        assertThat(ServiceNode.jvmOptions(Map.of())).isEqualTo(ServiceNode.DEFAULT_JVM_OPTIONS)
                .contains("-XX:+UseG1GC", "-Xmx512m");
        assertThat(ServiceNode.jvmOptions(Map.of("PARLEY_SERVICE_JVM_OPTIONS", "  "))).isEqualTo(ServiceNode.DEFAULT_JVM_OPTIONS);
        assertThat(ServiceNode.jvmOptions(Map.of("PARLEY_SERVICE_JVM_OPTIONS", " -Xmx1g   -XX:+UseParallelGC\t-Xss512k ")))
                .containsExactly("-Xmx1g", "-XX:+UseParallelGC", "-Xss512k");
    }
}
