package io.trawl.jobs.schedule;

import java.time.Clock;
import java.time.LocalDate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.SmartLifecycle;
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
	private ThreadPoolTaskScheduler scheduler;

	NightlyRescan(RescanLauncher launcher, ScheduleProperties settings, Clock clock) {
		this.launcher = launcher;
		this.settings = settings;
		this.clock = clock.withZone(settings.zone());
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
				RescanLauncher.Origin.SCHEDULE, null, false);
	}

	/** Launches tonight's rescan, or finds the one another manager launched. Never throws. */
	void fire() {
		LocalDate night = LocalDate.now(clock);
		int waitedForSlot = 0;
		for (int attempt = 1; attempt <= 3; attempt++) {
			try {
				JobExecution execution = launcher.submit(request(night));
				log.info("Nightly rescan of {} for {} is job execution {}", settings.nightlySource(), night,
						execution == null ? "?" : execution.getId());
				return;
			}
			catch (LaunchRefusedException busy) {
				if (busy.kind() != ClientErrors.Kind.BUSY || waitedForSlot++ >= MAX_WAITS) {
					log.error("The nightly rescan of {} for {} could not be launched: {}", settings.nightlySource(),
							night, busy.getMessage());
					return;
				}
				// other jobs hold every launch slot; tonight's rescan waits for one rather than being skipped
				log.info("Nightly rescan for {}: {} Waiting {} s", night, busy.getMessage(),
						busy.retryAfter().toSeconds());
				attempt--;
				sleep(busy.retryAfter());
			}
			catch (DataIntegrityViolationException raced) {
				// another manager created the job instance at the same moment; the next attempt finds it
				log.info("Nightly rescan for {}: another manager launched it at the same time; checking again", night);
				pause(attempt);
			}
			catch (Exception e) {
				log.error("The nightly rescan of {} for {} could not be launched: {}", settings.nightlySource(), night,
						e.getMessage(), e);
				return;
			}
		}
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

	private static void sleep(java.time.Duration pause) {
		try {
			Thread.sleep(pause.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static void pause(int attempt) {
		try {
			Thread.sleep(500L * attempt);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
