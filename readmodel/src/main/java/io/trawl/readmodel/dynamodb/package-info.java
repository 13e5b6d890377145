/**
 * The DynamoDB adapters of the event store and the query tables: table names and creation, batched writes retried
 * with backoff, sharded keys, and large documents gzipped to stay under the item size limit.
 */
package io.trawl.readmodel.dynamodb;
