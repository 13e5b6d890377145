package io.trawl.jobs.schedule;

import java.time.ZoneId;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The nightly rescan, under {@code trawl.schedule.*}.
 * @param nightlyCron a Spring cron expression (six fields, seconds first); blank or {@code -} disables it
 * @param nightlySource what to rescan, {@code s3://bucket/prefix} (or a folder in the embedded profile)
 * @param nightlyRules blank for {@code trawl.rules}
 * @param zone the zone of the cron and of the {@code scheduledFor} date
 * @param full true makes each nightly rescan a full one; by default it redoes only what changed since the last
 */
@ConfigurationProperties("trawl.schedule")
record ScheduleProperties(String nightlyCron, String nightlySource, String nightlyRules,
		@DefaultValue("UTC") ZoneId zone, @DefaultValue("false") boolean full) {

	boolean enabled() {
		return nightlyCron != null && !nightlyCron.isBlank() && !nightlyCron.trim().equals("-");
	}
}
