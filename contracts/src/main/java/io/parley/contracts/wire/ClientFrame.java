package io.parley.contracts.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** A client request on the native protocol: {@code {"op":"send-message","ref":"7","data":{...}}}. */
public record ClientFrame(String op, String ref, JsonNode data) {}
