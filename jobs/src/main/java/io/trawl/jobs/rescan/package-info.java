/**
 * {@code rescanJob}: its partitioned analyse step and project step, and the launcher (start, restart, stop, bounded
 * background launches). The careful restart after a crash is {@link io.trawl.jobs.containment}'s.
 */
package io.trawl.jobs.rescan;
