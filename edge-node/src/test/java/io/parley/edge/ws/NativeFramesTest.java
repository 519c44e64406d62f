/*
 * NativeFramesTest owns the proof that the native envelope is decoded strictly: malformed JSON,
 * non-objects, bad refs and missing ops are INVALID_MESSAGE, with the ref echoed when readable.
 */
package io.parley.edge.ws;

import io.parley.contracts.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeFramesTest {

    private static NativeFrames.Malformed malformed(String text) {
        NativeFrames.Decoded decoded = NativeFrames.decode(text);
        assertThat(decoded).isInstanceOf(NativeFrames.Malformed.class);
        NativeFrames.Malformed malformed = (NativeFrames.Malformed) decoded;
        assertThat(malformed.error().code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
        return malformed;
    }

    @Test
    void decodesAnEnvelope() {
        NativeFrames.Decoded decoded = NativeFrames.decode("{\"op\":\"join-room\",\"ref\":\"7\",\"data\":{\"roomId\":\"r\"}}");
        assertThat(decoded).isInstanceOf(NativeFrames.Request.class);
        NativeFrames.Request request = (NativeFrames.Request) decoded;
        assertThat(request.ref()).isEqualTo("7");
        assertThat(request.op()).isEqualTo("join-room");
        assertThat(request.data().get("roomId").textValue()).isEqualTo("r");
        assertThat(((NativeFrames.Request) NativeFrames.decode("{\"op\":\"ping\",\"ref\":12}")).ref()).isEqualTo("12");
        assertThat(((NativeFrames.Request) NativeFrames.decode("{\"op\":\"ping\"}")).ref()).isNull();
    }

    @Test
    void refusesWhatIsNotAnObjectEnvelope() {
        assertThat(malformed("{not json").ref()).isNull();
        assertThat(malformed("").ref()).isNull();
        assertThat(malformed("[1,2]").ref()).isNull();
        assertThat(malformed("\"op\"").ref()).isNull();
        assertThat(malformed("null").ref()).isNull();
        assertThat(malformed("{\"op\":\"ping\"} trailing").ref()).isNull();
        assertThat(malformed("{\"op\":\"ping\",\"ref\":{}}").ref()).isNull();
        assertThat(malformed("{\"op\":\"ping\",\"ref\":\"" + "r".repeat(65) + "\"}").ref()).isNull();
    }

    @Test
    void missingOpKeepsTheRef() {
        assertThat(malformed("{\"ref\":\"9\",\"data\":{}}").ref()).isEqualTo("9");
        assertThat(malformed("{\"ref\":\"9\",\"op\":3}").ref()).isEqualTo("9");
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        for (String s : new String[] {"", "abc", "é", "€", "\uD83D\uDE00", "mixed é€\uD83D\uDE00 text"}) {
            assertThat(NativeFrames.utf8Length(s)).as(s).isEqualTo(NativeFrames.utf8LengthSlow(s));
        }
    }
}
