/** The audit log: one escaped line per security-relevant action. */
package io.trawl.jobs.audit;
