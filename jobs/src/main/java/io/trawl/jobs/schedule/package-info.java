/** The nightly rescan, launched by the service through the same path as other launches. */
package io.trawl.jobs.schedule;
