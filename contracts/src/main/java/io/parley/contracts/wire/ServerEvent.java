package io.parley.contracts.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** A pushed event on the native protocol: {@code {"event":"new-message","data":{...}}}. */
public record ServerEvent(String event, JsonNode data) {}
