/**
 * {@code rescanJob}: its partitioned analyse step and project step, the launcher (start, restart, stop, bounded
 * background launches) and the careful restart after a crash.
 */
package io.trawl.jobs.rescan;
