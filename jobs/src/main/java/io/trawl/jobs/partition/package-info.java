/** Remote partitioning over SQS: the manager and worker steps, and a busy worker's scale-in protection. */
package io.trawl.jobs.partition;
