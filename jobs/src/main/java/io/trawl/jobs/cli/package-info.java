/** The command line of {@code ./trawl}: local commands, and the remote client of a running service. */
package io.trawl.jobs.cli;
