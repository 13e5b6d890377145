/**
 * What rescans report to monitoring: Micrometer meters for Actuator, and CloudWatch's {@code JobsFailed} and
 * {@code WorkerErrors} in the aws profile. The port the rescan job reports to ({@code RescanMetrics}) and its
 * listeners stay in {@code rescan}: they read the job's outcomes, and here they would make the two packages
 * depend on each other.
 */
package io.trawl.jobs.metrics;
