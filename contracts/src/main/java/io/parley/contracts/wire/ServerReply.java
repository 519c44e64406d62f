package io.parley.contracts.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The reply to one request: {@code {"ref":"7","ok":true,"data":{...}}} or
 * {@code {"ref":"7","ok":false,"error":{...}}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerReply(String ref, boolean ok, JsonNode data, ErrorBody error) {
    public static ServerReply ok(String ref, JsonNode data) {
        return new ServerReply(ref, true, data, null);
    }

    public static ServerReply error(String ref, ErrorBody error) {
        return new ServerReply(ref, false, null, error);
    }
}
