package io.warmer.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

/** Versions compare as text exactly as the changes they stand for are ordered (fencing compares them in Lua). */
class VersionTest {

    @Test
    void shouldCompareAsTextLikeTheirComponents() {
        Version a = Version.of(100, 900);
        Version b = Version.of(101, 5);
        Version c = Version.of(101, 6);

        assertThat(a.text().compareTo(b.text())).isNegative();
        assertThat(b.text().compareTo(c.text())).isNegative();
        assertThat(b).isLessThan(c).isGreaterThan(a);
    }

    @Test
    void shouldPlaceASnapshotRowBetweenTheChangesBeforeAndAfterItsMarker() {
        Version before = Version.of(4_999, 5_500); // delivered before the marker at 5000
        Version snapshot = Version.snapshot(5_000);
        Version after = Version.of(5_000, 4_800); // delivered after the marker, written earlier in the WAL

        assertThat(snapshot).isGreaterThan(before).isLessThan(after);
    }

    @Test
    void shouldRankAVersionOfTheFormerSchemeBelowANewerChangeOfTheSameRow() {
        // Before, a version was the change's LSN; a later change of the row is delivered after that change committed.
        Version legacy = Version.legacy(23_480_912);
        Version later = Version.of(23_480_990, 23_481_000);
        Version legacySnapshot = Version.legacy(0);

        assertThat(later).isGreaterThan(legacy);
        assertThat(Version.snapshot(1)).isGreaterThan(legacySnapshot);
    }

    @Test
    void shouldAppendComponentsThatOrderAfterTheirPrefix() {
        Version main = Version.of(10, 20);

        assertThat(main.then(1)).isGreaterThan(main).isLessThan(main.then(2)).isLessThan(Version.of(10, 21));
    }

    @Test
    void shouldReadBothTheTextAndTheNumberOfAnOlderTopic() {
        Version version = Version.of(1, 2);

        assertThat(Version.fromJson(JsonNodeFactory.instance.textNode(version.text()))).isEqualTo(version);
        assertThat(Version.fromJson(JsonNodeFactory.instance.numberNode(42L))).isEqualTo(Version.legacy(42));
        assertThat(Version.parse(version.text())).isEqualTo(version);
        assertThat(version.position()).isEqualTo(1);
    }

    @Test
    void shouldRefuseTextThatIsNotAVersion() {
        assertThatThrownBy(() -> Version.parse("12")).hasMessageContaining("not a version");
        assertThatThrownBy(() -> Version.parse("0000000000000000000x")).hasMessageContaining("not a version");
    }
}
