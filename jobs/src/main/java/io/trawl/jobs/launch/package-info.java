/**
 * Launches from the SQS launch queue: the launch message format (docs/aws-local.md), its listener, and the
 * dead-letter queue that invalid messages (and invalid partition requests) go to with the reason, and the receive
 * backoff both SQS consumers use.
 */
package io.trawl.jobs.launch;
