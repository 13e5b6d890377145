/**
 * Launches from the SQS launch queue: the launch message format (docs/aws-local.md) and its listener, a handler on
 * the shared {@link io.trawl.jobs.queue.QueueConsumer}, which owns receiving, acknowledgement and the dead-letter queue.
 */
package io.trawl.jobs.launch;
