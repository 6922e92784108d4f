package io.audiences.server.audiences;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.audiences.model.AudienceModeDto;
import io.audiences.model.AudienceStatusDto;
import io.audiences.model.AudienceTypeDto;
import io.audiences.model.PauseReasonDto;
import io.audiences.model.RefreshScheduleDto;
import io.audiences.model.SegmentationTypeDto;
import io.audiences.server.builds.BuildStatus;
import io.audiences.server.results.Snapshot;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The typed audience: its enums speak the contract's values, and each change replaces one part only. */
class AudienceTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant RENEW = Instant.parse("2026-03-08T10:00:00Z");

    private static Audience draft(Audience.Mode mode) {
        return Audience.draft(UUID.randomUUID(), UUID.randomUUID(), new Audience.Definition("Buyers", null,
                Audience.Type.ELIXIR, Audience.SegmentationType.PERSONA, "{}", 7, Schedule.WEEKLY, mode), RENEW, NOW);
    }

    @Test
    void theAudienceStatusesAreTheContractsAndABuildMayAlsoBeSuperseded() {
        assertThat(Arrays.stream(BuildStatus.values()).filter(s -> s != BuildStatus.SUPERSEDED).map(BuildStatus::label).toList(),
                containsInAnyOrder(Arrays.stream(AudienceStatusDto.values()).map(AudienceStatusDto::toString).toArray()));
        assertThat(BuildStatus.SUPERSEDED.label(), is("Superseded"));
        for (BuildStatus s : BuildStatus.values()) {
            assertThat(BuildStatus.of(s.label()), is(s));
        }
        assertThrows(IllegalArgumentException.class, () -> BuildStatus.of("PENDING"));
    }

    @Test
    void onlyQueuedAndRunningBuildsAreActive() {
        assertThat(Arrays.stream(BuildStatus.values()).filter(BuildStatus::active).toList(),
                is(java.util.List.of(BuildStatus.PENDING, BuildStatus.PROCESSING, BuildStatus.SYNCING)));
    }

    @Test
    void typeModeAndPauseReasonSpeakTheContractsValues() {
        assertThat(Arrays.stream(Audience.Type.values()).map(Audience.Type::value).toList(),
                containsInAnyOrder(Arrays.stream(AudienceTypeDto.values()).map(AudienceTypeDto::toString).toArray()));
        assertThat(Arrays.stream(Audience.Mode.values()).map(Audience.Mode::value).toList(),
                containsInAnyOrder(Arrays.stream(AudienceModeDto.values()).map(AudienceModeDto::toString).toArray()));
        assertThat(Arrays.stream(Audience.PauseReason.values()).map(Audience.PauseReason::value).toList(),
                containsInAnyOrder(Arrays.stream(PauseReasonDto.values()).map(PauseReasonDto::toString).toArray()));
        assertThat(Audience.Type.of("intents"), is(Audience.Type.INTENTS));
        assertThat(Audience.Mode.of("preview"), is(Audience.Mode.PREVIEW));
        assertThat(Audience.PauseReason.of("org_inactive"), is(Audience.PauseReason.ORG_INACTIVE));
    }

    @Test
    void scheduleAndSegmentationTypeSpeakTheContractsValues() {
        assertThat(Arrays.stream(Schedule.values()).map(Schedule::value).toList(),
                containsInAnyOrder(Arrays.stream(RefreshScheduleDto.values()).map(RefreshScheduleDto::toString).toArray()));
        assertThat(Arrays.stream(Audience.SegmentationType.values()).map(Audience.SegmentationType::label).toList(),
                containsInAnyOrder(Arrays.stream(SegmentationTypeDto.values()).map(SegmentationTypeDto::toString).toArray()));
        for (Audience.SegmentationType t : Audience.SegmentationType.values()) {
            assertThat(Audience.SegmentationType.of(t.label()), is(t));
        }
        assertThat(Schedule.of("weekly"), is(Schedule.WEEKLY));
        assertThrows(IllegalArgumentException.class, () -> Audience.SegmentationType.of("persona"));
    }

    @Test
    void aDraftIsPendingWithNothingBuiltAndItsFirstRenewal() {
        Audience a = draft(Audience.Mode.UNLOAD);
        assertThat(a.progress(), is(new Audience.Progress(BuildStatus.PENDING, null, null, null)));
        assertThat(a.counts(), is(new Audience.Counts(null, 0, 0, "{}", null, null)));
        assertThat(a.renewal(), is(new Audience.Renewal(RENEW, null, null, null)));
        assertThat(a.version(), is(1L));
        assertThat(a.paused(), is(false));
        assertThat(a.createdAt(), is(NOW));
    }

    @Test
    void eachChangeReplacesOnePartOnly() {
        Audience a = draft(Audience.Mode.UNLOAD);
        Audience queued = a.withProgress(new Audience.Progress(BuildStatus.PENDING, null, null, 42L));
        assertThat(queued.progress().latestBuildId(), is(42L));
        assertThat(queued.definition(), is(a.definition()));
        assertThat(queued.renewal(), is(a.renewal()));

        Audience paused = a.withRenewal(new Audience.Renewal(null, RENEW, NOW, Audience.PauseReason.MANUAL));
        assertThat(paused.paused(), is(true));
        assertThat(paused.progress(), is(a.progress()));
        assertThat(paused.counts(), is(a.counts()));

        Audience renamed = a.withDefinition(new Audience.Definition("Renamed", null, Audience.Type.ELIXIR, Audience.SegmentationType.PERSONA,
                "{}", 7, Schedule.WEEKLY, Audience.Mode.UNLOAD));
        assertThat(renamed.definition().name(), is("Renamed"));
        assertThat(renamed.renewal(), is(a.renewal()));
        assertThat(renamed.version(), is(a.version()));
    }

    @Test
    void aPreviewHasNoSnapshotToReadAndAnUnloadOneItsLastCompletedBuild() {
        Audience preview = draft(Audience.Mode.PREVIEW);
        assertThat(preview.snapshot(), is(new Snapshot(0, true, null)));
        assertThat(preview.snapshot().buildId(), is(nullValue()));
    }

    /**
     * A GET renders an audience once per version and afterwards reads only its version: that is exact only if every
     * statement that writes an audience row bumps the version. Checked on the sources, so a new write cannot forget.
     */
    private static final Pattern AUDIENCE_UPDATE = Pattern.compile("(?i)update\\s+audience\\s");

    @Test
    void everyStatementThatUpdatesAnAudienceBumpsItsVersion() throws IOException {
        List<String> updates = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher update = AUDIENCE_UPDATE.matcher(source);
                while (update.find()) {
                    String statement = source.substring(update.start(), source.indexOf(';', update.start()));
                    updates.add(file.getFileName() + ": " + statement);
                    assertThat(file + " writes an audience without bumping its version: " + statement,
                            statement.contains("version = version + 1"), is(true));
                }
            }
        }
        assertThat(updates.toString(), updates.size(), greaterThanOrEqualTo(4));
    }
}
