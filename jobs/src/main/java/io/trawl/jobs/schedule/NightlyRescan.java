package io.trawl.jobs.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.LaunchRefusedException;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * The nightly rescan, launched through the same {@link RescanLauncher#submit} as launch messages. Its requestId
 * {@code nightly-<date>} and {@code scheduledFor=<date>} are identifying job parameters, so every manager may run
 * this schedule: on a given night the first to fire starts the job and the others find it already launched.
 */
final class NightlyRescan implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(NightlyRescan.class);
	private static final int MAX_WAITS = 240;

	private final RescanLauncher launcher;
	private final ScheduleProperties settings;
	private final Clock clock;
	// other jobs hold every launch slot: tonight's rescan waits for one, at the launcher's Retry-After, rather than
	// being skipped
	private final RetryTemplate slotWaits;
	// another manager created the job instance at the same moment: the next attempt finds it
	private final RetryTemplate races;
	private ThreadPoolTaskScheduler scheduler;

	/** @param slotWait how long a launch refused for want of a slot waits (trawl.launch.retry-after) */
	NightlyRescan(RescanLauncher launcher, ScheduleProperties settings, Clock clock, Duration slotWait) {
		this(launcher, settings, clock, slotWait, Duration.ofMillis(500));
	}

	NightlyRescan(RescanLauncher launcher, ScheduleProperties settings, Clock clock, Duration slotWait,
			Duration raceWait) {
		this.launcher = launcher;
		this.settings = settings;
		this.clock = clock.withZone(settings.zone());
		this.slotWaits = new RetryTemplate(RetryPolicy.builder().predicate(NightlyRescan::busy)
			.maxRetries(MAX_WAITS).delay(slotWait).build());
		this.races = new RetryTemplate(RetryPolicy.builder().includes(DataIntegrityViolationException.class)
			.maxRetries(2).delay(raceWait).multiplier(2).build());
		if (!settings.enabled()) {
			return;
		}
		if (settings.nightlySource() == null || settings.nightlySource().isBlank()) {
			throw new IllegalArgumentException("trawl.schedule.nightly-cron is set but trawl.schedule.nightly-source "
					+ "is not; set TRAWL_NIGHTLY_SOURCE to what the nightly rescan reads, such as s3://bucket/prefix.");
		}
		new CronTrigger(settings.nightlyCron(), settings.zone()); // a bad expression fails at startup, not at night
	}

	/** The request for one night. */
	RescanLauncher.Request request(LocalDate night) {
		String rules = settings.nightlyRules() == null || settings.nightlyRules().isBlank() ? null
				: settings.nightlyRules();
		return new RescanLauncher.Request(settings.nightlySource(), rules, "nightly-" + night, night.toString(),
				RescanLauncher.Origin.SCHEDULE, null, settings.full());
	}

	/** Launches tonight's rescan, or finds the one another manager launched. Never throws. */
	void fire() {
		LocalDate night = LocalDate.now(clock);
		try {
			JobExecution execution = slotWaits.execute(() -> {
				try {
					return races.execute(() -> submit(night));
				}
				catch (RetryException e) {
					throw e.getLastException(); // so that a busy refusal reaches the wait for a slot as itself
				}
			});
			log.info("Nightly rescan of {} for {} is job execution {}", settings.nightlySource(), night,
					execution == null ? "?" : execution.getId());
		}
		catch (RetryException e) {
			Throwable last = e.getLastException();
			if (Thread.currentThread().isInterrupted()) {
				log.warn("The nightly rescan of {} for {} was not launched: interrupted while waiting ({})",
						settings.nightlySource(), night, last.getMessage());
			}
			else if (last instanceof LaunchRefusedException || last instanceof DataIntegrityViolationException) {
				log.error("The nightly rescan of {} for {} could not be launched: {}", settings.nightlySource(), night,
						last.getMessage());
			}
			else {
				log.error("The nightly rescan of {} for {} could not be launched: {}", settings.nightlySource(), night,
						last.getMessage(), last);
			}
		}
	}

	private JobExecution submit(LocalDate night) throws Exception {
		try {
			return launcher.submit(request(night));
		}
		catch (LaunchRefusedException refused) {
			if (busy(refused)) {
				log.info("Nightly rescan for {}: {} Waiting {} s", night, refused.getMessage(),
						refused.retryAfter() == null ? "?" : refused.retryAfter().toSeconds());
			}
			throw refused;
		}
		catch (DataIntegrityViolationException raced) {
			log.info("Nightly rescan for {}: another manager launched it at the same time; checking again", night);
			throw raced;
		}
	}

	private static boolean busy(Throwable e) {
		return e instanceof LaunchRefusedException refused && refused.kind() == ClientErrors.Kind.BUSY;
	}

	@Override
	public boolean isAutoStartup() {
		return settings.enabled();
	}

	@Override
	public synchronized void start() {
		if (!settings.enabled()) {
			return;
		}
		scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("nightly-");
		scheduler.setPoolSize(1);
		scheduler.initialize();
		scheduler.schedule(this::fire, new CronTrigger(settings.nightlyCron(), settings.zone()));
		log.info("Nightly rescan of {} scheduled at '{}' ({})", settings.nightlySource(), settings.nightlyCron(),
				settings.zone());
	}

	@Override
	public synchronized void stop() {
		if (scheduler != null) {
			scheduler.shutdown();
			scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return scheduler != null;
	}
}
