/**
 * {@code projectRebuildJob} ({@code ./trawl project --rebuild}): empties every query table, then projects each rescan
 * whose own projection ran again from its events, one partition per job, so that a new or lost table, or a changed
 * projection, is rebuilt from the event log. A restart resumes with the jobs not yet projected.
 */
package io.trawl.jobs.project;
