package io.warmer.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** `migrate-keys --from/--to`: which keys are copied, under which names, and which mappings are refused. */
class KeyMappingTest {

    @Test
    void shouldPutTheTextTheStarMatchedWhereTheTemplateSaysOne() {
        KeyMapping mapping = KeyMapping.of("user:*:session", "v2:user:${1}:session");

        assertThat(mapping.targetOf("user:42:session")).isEqualTo("v2:user:42:session");
        assertThat(mapping.targetOf("user::session")).as("a star may match nothing, as in Redis").isEqualTo("v2:user::session");
        assertThat(mapping.from()).as("the SCAN MATCH pattern").isEqualTo("user:*:session");
    }

    @Test
    void shouldNumberTheStarsFromTheLeftAndAllowAnyOrderInTheTemplate() {
        KeyMapping mapping = KeyMapping.of("sess:*:device:*", "v2:{${1}}:${2}:sess");

        assertThat(mapping.targetOf("sess:7:device:ios")).isEqualTo("v2:{7}:ios:sess");
    }

    @Test
    void shouldLetAStarMatchAnyCharacterEvenANewlineOrAStar() {
        KeyMapping mapping = KeyMapping.of("s:*", "t:${1}");

        assertThat(mapping.targetOf("s:a\nb*c")).isEqualTo("t:a\nb*c");
    }

    @Test
    void shouldMatchAndCopyBytesAsRedisDoesEvenWhenTheyAreNotUtf8() {
        KeyMapping mapping = KeyMapping.of("é:*", "ü:${1}");
        byte[] key = {(byte) 0xc3, (byte) 0xa9, ':', (byte) 0xff, (byte) 0x00};

        assertThat(mapping.targetOf(key)).containsExactly((byte) 0xc3, (byte) 0xbc, ':', (byte) 0xff, (byte) 0x00);
        assertThat(mapping.targetOf("é:ß")).isEqualTo("ü:ß");
    }

    @Test
    void shouldGiveNoTargetForAKeyTheGlobDoesNotMatch() {
        KeyMapping mapping = KeyMapping.of("user:*:session", "v2:user:${1}:session");

        assertThat(mapping.targetOf("user:42:profile")).isNull();
        assertThat(mapping.targetOf("xuser:42:session")).isNull();
    }

    @Test
    void shouldCopyOneKeyWhenTheGlobHasNoStar() {
        assertThat(KeyMapping.of("config:main", "v2:config:main").targetOf("config:main")).isEqualTo("v2:config:main");
    }

    @Test
    void shouldRefuseACaptureTheGlobDoesNotHave() {
        assertThatThrownBy(() -> KeyMapping.of("user:*:session", "v2:user:${2}:session"))
                .isInstanceOfSatisfying(InvalidKeyMappingException.class, e -> assertThat(e.part()).isEqualTo(KeyMapping.Part.TO))
                .hasMessage("found '${2}' in 'v2:user:${2}:session', but --from 'user:*:session' has 1 * so it can use ${1} only");
    }

    @Test
    void shouldRefuseAPlaceholderThatIsNotACaptureNumber() {
        assertThatThrownBy(() -> KeyMapping.of("user:*:session", "v2:user:${id}:session"))
                .hasMessageStartingWith("found '${id}' in 'v2:user:${id}:session', expected ${1}, ${2}, ...");
        assertThatThrownBy(() -> KeyMapping.of("user:*:session", "v2:user:${1"))
                .hasMessageStartingWith("found '${1' in 'v2:user:${1', expected ${1}");
    }

    @Test
    void shouldRefuseATemplateThatDropsACaptureSinceTwoKeysWouldShareOneCopy() {
        assertThatThrownBy(() -> KeyMapping.of("sess:*:*", "v2:sess:${1}"))
                .hasMessageContaining("does not use ${2}, so keys of --from 'sess:*:*' that differ only there would be"
                        + " copied to one key");
    }

    @Test
    void shouldRefuseTheIdentity() {
        assertThatThrownBy(() -> KeyMapping.of("user:*:s:*", "user:${1}:s:${2}"))
                .hasMessage("'user:${1}:s:${2}' maps every key matching --from 'user:*:s:*' to itself; expected a new"
                        + " key format such as 'v2:user:${1}:s:${2}'");
    }

    @Test
    void shouldRefuseATemplateWhoseKeysTheGlobMatchesSinceCopiesWouldBeCopiedAgain() {
        for (String[] mapping : new String[][] {{"*:session", "v2:${1}:session"}, {"*", "v2:${1}"},
                {"user:*:*", "user:${2}:${1}"}, {"user:*", "user:v2:${1}"}}) {
            assertThatThrownBy(() -> KeyMapping.of(mapping[0], mapping[1])).as("%s -> %s", mapping[0], mapping[1])
                    .isInstanceOfSatisfying(InvalidKeyMappingException.class, e -> assertThat(e.part()).isEqualTo(KeyMapping.Part.TO))
                    .hasMessageContaining("can match --from '" + mapping[0] + "' too, so copies would be copied again");
        }
    }

    @Test
    void shouldAcceptATemplateOutsideTheGlobEvenWhenTheyShareParts() {
        assertThat(KeyMapping.of("user:*:session", "user:${1}:session:v2").targetOf("user:1:session"))
                .isEqualTo("user:1:session:v2");
        assertThat(KeyMapping.of("*:session", "${1}:session2").targetOf("u:session")).isEqualTo("u:session2");
    }

    @Test
    void shouldRefuseGlobWildcardsOtherThanTheStar() {
        assertThatThrownBy(() -> KeyMapping.of("user:?:session", "v2:user:${1}:session"))
                .isInstanceOfSatisfying(InvalidKeyMappingException.class, e -> assertThat(e.part()).isEqualTo(KeyMapping.Part.FROM))
                .hasMessageStartingWith("found '?' in 'user:?:session', expected a pattern whose only wildcard is *");
    }

    @Test
    void shouldRefuseAnEmptyGlobOrTemplate() {
        assertThatThrownBy(() -> KeyMapping.of("", "v2")).isInstanceOfSatisfying(InvalidKeyMappingException.class,
                e -> assertThat(e.part()).isEqualTo(KeyMapping.Part.FROM));
        assertThatThrownBy(() -> KeyMapping.of("a:*", "")).isInstanceOfSatisfying(InvalidKeyMappingException.class,
                e -> assertThat(e.part()).isEqualTo(KeyMapping.Part.TO));
    }
}
