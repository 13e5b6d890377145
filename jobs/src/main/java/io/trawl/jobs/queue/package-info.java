/**
 * Consuming an SQS queue the way both of Trawl's queues need it (the launch queue, the partitions queue):
 * {@link io.trawl.jobs.queue.QueueConsumer} on Spring Cloud AWS's listener container, with manual acknowledgement,
 * visibility extension, bounded receives and a dead-letter queue whose messages carry their reason
 * ({@link io.trawl.jobs.queue.DeadLetters}). What a message means is decided by its handler, in {@code launch} or
 * {@code partition}.
 */
package io.trawl.jobs.queue;
