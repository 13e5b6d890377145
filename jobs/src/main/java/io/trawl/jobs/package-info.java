/**
 * The Spring Boot application: {@code TrawlApplication}, the {@code trawl.*} settings ({@code TrawlProperties}) and
 * the embedded profile's adapters. Each feature has its own package below.
 */
package io.trawl.jobs;
