package io.parley.contracts.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.contracts.ErrorCode;

/** The error of a failed request: {@code {"code":"RATE_LIMIT_EXCEEDED","message":"...","retryAfterMs":900}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(ErrorCode code, String message, Long retryAfterMs) {
    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(code, message, null);
    }
}
