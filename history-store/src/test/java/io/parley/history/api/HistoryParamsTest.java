// Tests the validation of the history endpoint's query parameters.
package io.parley.history.api;

import io.parley.history.cql.PageRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryParamsTest {

    private static HistoryParams.Result parse(Map<String, List<String>> query) {
        return HistoryParams.parse(query);
    }

    @Test
    void defaultsToTheLatestFifty() {
        assertThat(parse(Map.of())).isEqualTo(new HistoryParams.Valid(new PageRequest.Latest(50)));
    }

    @Test
    void acceptsBeforeOrAfterWithALimit() {
        assertThat(parse(Map.of("after", List.of("0"), "limit", List.of("200"))))
                .isEqualTo(new HistoryParams.Valid(new PageRequest.After(0, 200)));
        assertThat(parse(Map.of("before", List.of("17"), "limit", List.of("1"))))
                .isEqualTo(new HistoryParams.Valid(new PageRequest.Before(17, 1)));
        assertThat(parse(Map.of("before", List.of("17"), "other", List.of("x"))))
                .isEqualTo(new HistoryParams.Valid(new PageRequest.Before(17, 50)));
    }

    @Test
    void refusesBadValues() {
        for (Map<String, List<String>> bad : List.of(
                Map.of("limit", List.of("0")),
                Map.of("limit", List.of("201")),
                Map.of("limit", List.of("abc")),
                Map.of("limit", List.of("")),
                Map.of("before", List.of("-1")),
                Map.of("after", List.of("1.5")),
                Map.of("after", List.of("99999999999999999999")),
                Map.of("after", List.of("1", "2")),
                Map.of("after", List.of("1"), "before", List.of("5")))) {
            assertThat(parse(bad)).as("%s", bad).isInstanceOf(HistoryParams.Invalid.class);
        }
    }

    @Test
    void extractsTheBearerToken() {
        assertThat(HistoryApi.bearerToken("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
        assertThat(HistoryApi.bearerToken("bearer  abc ")).isEqualTo("abc");
        assertThat(HistoryApi.bearerToken("Basic dXNlcjpwYXNz")).isNull();
        assertThat(HistoryApi.bearerToken("Bearer")).isNull();
        assertThat(HistoryApi.bearerToken(null)).isNull();
    }
}
