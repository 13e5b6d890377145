/**
 * The aws profile's AWS clients and settings ({@code trawl.aws.*}), its S3 and DynamoDB adapters, and the instance
 * metadata service. Launches, rules, metrics and the schedule that use AWS live in their own packages.
 */
package io.trawl.jobs.aws;
