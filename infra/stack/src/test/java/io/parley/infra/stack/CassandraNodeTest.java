package io.parley.infra.stack;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CassandraNodeTest {

    @Test
    void parsesHostPortPairs() {
        List<InetSocketAddress> points = CassandraNode.parseContactPoints("127.0.0.1:19042,127.0.0.2:9142");

        assertThat(points).extracting(InetSocketAddress::getHostString, InetSocketAddress::getPort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 19042),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.2", 9142));
    }

    @Test
    void stripsBlanksAndSkipsEmptyEntries() {
        List<InetSocketAddress> points = CassandraNode.parseContactPoints(" 127.0.0.1:19042 , ,127.0.0.3:9043,");

        assertThat(points).extracting(InetSocketAddress::getHostString, InetSocketAddress::getPort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 19042),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.3", 9043));
        assertThat(CassandraNode.parseContactPoints(" , ")).isEmpty();
    }

    @Test
    void aHostWithoutPortGetsTheCqlDefault() {
        assertThat(CassandraNode.parseContactPoints("127.0.0.1"))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.getHostString()).isEqualTo("127.0.0.1");
                    assertThat(a.getPort()).isEqualTo(9042);
                });
    }

    @Test
    void aBracketedIpv6AddressKeepsItsPort() {
        assertThat(CassandraNode.parseContactPoints("[::1]:9043"))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.getAddress()).isNotNull();
                    assertThat(a.getAddress().isLoopbackAddress()).isTrue();
                    assertThat(a.getPort()).isEqualTo(9043);
                });
    }

    @Test
    void aBadPortIsAStackExceptionNamingTheEntry() {
        assertThatThrownBy(() -> CassandraNode.parseContactPoints("127.0.0.1:9042,127.0.0.2:cql"))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("PARLEY_CASSANDRA_CONTACT_POINTS")
                .hasMessageContaining("'127.0.0.2:cql'");
    }
}
