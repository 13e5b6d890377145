package io.trawl.jobs.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.dao.DataIntegrityViolationException;

import io.trawl.jobs.problem.LaunchRefusedException;
import io.trawl.jobs.rescan.RescanLauncher;

/** The limits of the nightly launch's two retries: a race with another manager, and a wait for a launch slot. */
class NightlyRescanTests {

	private static final ScheduleProperties SETTINGS = new ScheduleProperties("-", "s3://samples/nightly", null,
			ZoneId.of("UTC"), false);
	private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T02:00:00Z"), ZoneId.of("UTC"));

	private final RescanLauncher launcher = mock(RescanLauncher.class);

	private NightlyRescan nightly(Duration slotWait) {
		return new NightlyRescan(launcher, SETTINGS, CLOCK, slotWait, Duration.ofMillis(1));
	}

	@Test
	void theNightlyRescanIsIncrementalUnlessFullIsSet() {
		LocalDate night = LocalDate.of(2026, 12, 4);
		ScheduleProperties full = new ScheduleProperties("-", "s3://samples/nightly", null, ZoneId.of("UTC"), true);

		assertThat(nightly(Duration.ZERO).request(night).full()).isFalse();
		assertThat(new NightlyRescan(launcher, full, CLOCK, Duration.ZERO,
				Duration.ofMillis(1)).request(night).full()).isTrue();
	}

	@Test
	void aRaceWithAnotherManagerIsCheckedAgainUntilTheJobIsFound() throws Exception {
		JobExecution found = mock(JobExecution.class);
		when(launcher.submit(any())).thenThrow(new DataIntegrityViolationException("duplicate key"))
			.thenThrow(new DataIntegrityViolationException("duplicate key")).thenReturn(found);

		nightly(Duration.ZERO).fire();

		verify(launcher, times(3)).submit(any());
	}

	@Test
	void aRaceThatGoesOnGivesUpAfterThreeAttemptsWithoutThrowing() throws Exception {
		when(launcher.submit(any())).thenThrow(new DataIntegrityViolationException("duplicate key"));

		nightly(Duration.ZERO).fire();

		verify(launcher, times(3)).submit(any());
	}

	@Test
	void busyLaunchSlotsAreWaitedFor240TimesThenTheNightIsSkipped() throws Exception {
		when(launcher.submit(any())).thenThrow(LaunchRefusedException.busy("All slots are busy.", Duration.ZERO));

		nightly(Duration.ZERO).fire();

		verify(launcher, times(241)).submit(any());
	}

	@Test
	void aWaitForASlotDoesNotUseUpTheRaceAttempts() throws Exception {
		JobExecution found = mock(JobExecution.class);
		var race = new DataIntegrityViolationException("duplicate key");
		when(launcher.submit(any())).thenThrow(race, race, LaunchRefusedException.busy("Busy.", Duration.ZERO), race,
				race).thenReturn(found);

		nightly(Duration.ZERO).fire();

		verify(launcher, times(6)).submit(any());
	}

	@Test
	void anyOtherErrorIsNotRetried() throws Exception {
		when(launcher.submit(any())).thenThrow(new IllegalStateException("database down"));

		nightly(Duration.ZERO).fire();

		verify(launcher, times(1)).submit(any());
	}

	@Test
	void anInterruptionStopsTheWaitForASlot() throws Exception {
		when(launcher.submit(any())).thenThrow(LaunchRefusedException.busy("All slots are busy.", Duration.ofHours(1)));
		long start = System.nanoTime();
		Thread.currentThread().interrupt();
		try {
			nightly(Duration.ofHours(1)).fire();
		}
		finally {
			assertThat(Thread.interrupted()).isTrue();
		}

		verify(launcher, times(1)).submit(any());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
	}
}
