package io.trawl.jobs.schedule;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * The nightly schedule runs in the service ({@code trawl serve}) of either profile, never in one-shot CLI
 * commands, and only when {@code trawl.schedule.nightly-cron} is set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@ConditionalOnExpression("'${trawl.role:all}' != 'worker'") // workers only analyse partitions
class NightlyConfiguration {

	@Bean
	NightlyRescan nightlyRescan(RescanLauncher launcher, ScheduleProperties settings, TrawlProperties properties) {
		return new NightlyRescan(launcher, settings, Clock.systemUTC(), properties.launch().retryAfter());
	}
}
