/*
 * LimitsTest owns the proof that the identifier checks (plain character loops) accept exactly the
 * strings their documented patterns accept: every boundary character and length, and many random
 * strings mixing valid characters with their neighbours, non-ASCII letters and digits and
 * surrogate pairs.
 */
package io.parley.contracts;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LimitsTest {
    /** Characters on both sides of every range edge of both patterns, and some beyond ASCII. */
    private static final String TRICKY = "!~ \u007f\u0080/09:;@AZ[`az{_.-|\\\"'\t\n\u0000éß٣０Ａ\u00a0\u2028\uffff";

    private static boolean roomIdRegex(String s) {
        return s != null && Limits.ROOM_ID.matcher(s).matches();
    }

    private static boolean clientMsgIdRegex(String s) {
        return s != null && Limits.CLIENT_MSG_ID.matcher(s).matches();
    }

    @Test
    void theChecksAcceptExactlyWhatThePatternsAccept() {
        List<String> inputs = new ArrayList<>();
        inputs.add(null);
        inputs.add("");
        for (char c = 0; c < 0x300; c++) {
            inputs.add(String.valueOf(c));
            inputs.add("a" + c + "b");
        }
        for (int length : new int[] {1, 63, 64, 65, 127, 128, 129, 500}) {
            inputs.add("a".repeat(length));
            inputs.add("~".repeat(length));
            inputs.add("a".repeat(length - 1) + " ");
        }
        inputs.add("😀");
        inputs.add("room-😀");
        inputs.add("\ud83d"); // a lone surrogate
        Random random = new Random(42);
        String valid = "abcxyzABCXYZ0123456789_.:-!#$%&()*+,/;<=>?@[]^`{|}~";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(4) == 0 ? 60 + random.nextInt(75) : random.nextInt(12);
            for (int k = 0; k < length; k++) {
                int pick = random.nextInt(20);
                if (pick == 0) {
                    s.append(TRICKY.charAt(random.nextInt(TRICKY.length())));
                } else if (pick == 1) {
                    s.appendCodePoint(0x80 + random.nextInt(0x10FF80));
                } else {
                    s.append(valid.charAt(random.nextInt(valid.length())));
                }
            }
            inputs.add(s.toString());
        }
        int roomIds = 0;
        int clientMsgIds = 0;
        for (String input : inputs) {
            boolean room = roomIdRegex(input);
            boolean msg = clientMsgIdRegex(input);
            assertThat(Limits.isValidRoomId(input)).as("room id %s", input).isEqualTo(room);
            assertThat(Limits.isValidClientMsgId(input)).as("client msg id %s", input).isEqualTo(msg);
            assertThat(Limits.isValidMessageId(input)).as("message id %s", input).isEqualTo(msg);
            roomIds += room ? 1 : 0;
            clientMsgIds += msg ? 1 : 0;
        }
        // Both outcomes were exercised many times (the comparison is not vacuous).
        assertThat(roomIds).isGreaterThan(10_000).isLessThan(inputs.size() - 10_000);
        assertThat(clientMsgIds).isGreaterThan(10_000).isLessThan(inputs.size() - 10_000);
    }
}
