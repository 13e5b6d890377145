/**
 * What rescans report to monitoring beyond their own counters: Spring Batch's job and step timers for Actuator
 * ({@code RescanMeters}), and in the aws profile Micrometer's CloudWatch registry, which publishes the counters
 * Terraform's alarms watch as {@code JobsFailed} and {@code WorkerErrors} ({@code CloudWatchMetricsConfiguration}).
 * The counters themselves are registered in {@code rescan}, where they are counted; their names are
 * {@code rescan.RescanMeterNames}, so this package depends on {@code rescan} and never the other way round.
 */
package io.trawl.jobs.metrics;
